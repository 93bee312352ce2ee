package serializer

// Codec turns a Value into bytes and back, as a Django serializer class
// (dumps/loads) does. JSON and Pickle implement it. A Codec must be safe for
// concurrent use.
type Codec interface {
	// Marshal serializes v. Values the format cannot hold give an error
	// matching ErrUnsupported.
	Marshal(v Value) ([]byte, error)
	// Unmarshal parses data. Errors match ErrMalformed or ErrTooLarge.
	Unmarshal(data []byte) (Value, error)
	// Name is the serializer's name as the CLI spells it: "json", "pickle".
	Name() string
}
