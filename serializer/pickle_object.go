package serializer

// StrValue returns the text of an opaque object that is a Python str
// subclass instance, as pickle records one:
//
//   - django.utils.safestring's SafeString, SafeText and SafeUnicode (what
//     mark_safe returns), built with NEWOBJ from the str;
//   - any object made by copyreg._reconstructor(cls, str, text) (protocols
//     0 and 1 write str subclasses that way; Python 2 names str unicode).
//
// Such objects stay *Object so that Marshal writes the same class back; use
// StrValue to read them as strings.
func (o *Object) StrValue() (string, bool) {
	if o == nil || o.Kwargs != nil || o.ListItems != nil || o.DictItems != nil {
		return "", false
	}
	switch o.Build {
	case BuildNewObj:
		if o.Module != "django.utils.safestring" || len(o.Args) != 1 || !pkEmptyState(o.State) {
			return "", false
		}
		switch o.Name {
		case "SafeString", "SafeText", "SafeUnicode":
			s, ok := o.Args[0].(Str)
			return string(s), ok
		}
	case BuildReduce:
		if len(o.Args) != 3 || !pkIsGlobal(o.Args[1], "builtins", "str") ||
			pkPython3Name(o.Module, o.Name) != (pkGlobalName{"copyreg", "_reconstructor"}) {
			return "", false
		}
		if _, ok := o.Args[0].(*Object); !ok {
			return "", false
		}
		s, ok := o.Args[2].(Str)
		return string(s), ok
	}
	return "", false
}

// pkEmptyState reports whether an object's BUILD state leaves it as its
// arguments made it: no state, None or an empty dict.
func pkEmptyState(v Value) bool {
	switch v := v.(type) {
	case nil, None:
		return true
	case *Dict:
		return v.Len() == 0
	}
	return false
}
