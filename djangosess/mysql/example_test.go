package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/mysql"
	"github.com/djangosess/djangosess/serializer"
)

// Writing a session that a Django project with USE_TZ = False and
// TIME_ZONE = "Europe/Paris" reads.
func ExampleNew() {
	ctx := context.Background()
	db, err := sql.Open("mysql", "django@tcp(db.example:3306)/app?charset=utf8mb4&clientFoundRows=true&interpolateParams=true")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("the Django SECRET_KEY")})
	if err != nil {
		panic(err)
	}
	store, err := mysql.New(db, mysql.Config{Codec: codec, Location: paris})
	if err != nil {
		panic(err)
	}
	key, err := djangosess.CreateNew(ctx, store, djangosess.Record{
		Data: serializer.DictOf("cart", serializer.List{serializer.Int(42)}),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("Set-Cookie: sessionid=" + key)
}

// The statements Django's "manage.py sqlmigrate sessions 0001" prints on
// MySQL and MariaDB.
func ExampleMigrateSQL() {
	stmts, err := mysql.MigrateSQL("")
	if err != nil {
		panic(err)
	}
	for _, s := range stmts {
		fmt.Println(s + ";")
	}
	// Output:
	// CREATE TABLE `django_session` (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL);
	// CREATE INDEX `django_session_expire_date_a5c62663` ON `django_session` (`expire_date`);
}
