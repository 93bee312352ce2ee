package interoptest

import (
	"encoding/json"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
)

// ddlScript prints, for each table named on stdin, the statements Django's
// schema editor collects to create an AbstractBaseSession model with that
// db_table (what sqlmigrate prints for it), on the database given.
const ddlScript = `
import json, sys
import django
from django.conf import settings
req = json.load(sys.stdin)
settings.configure(INSTALLED_APPS=["django.contrib.sessions"], DATABASES={"default": req["database"]}, USE_TZ=True)
django.setup()
from django.db import connection
from django.contrib.sessions.base_session import AbstractBaseSession
out = []
for i, table in enumerate(req["tables"]):
    meta = type("Meta", (), {"db_table": table, "app_label": "sessions"})
    model = type("DDLSession%d" % i, (AbstractBaseSession,), {"__module__": "django.contrib.sessions.models", "Meta": meta})
    with connection.schema_editor(collect_sql=True) as editor:
        editor.create_model(model)
    out.append([s.rstrip(";") for s in editor.collected_sql])
print(json.dumps(out))
`

// DjangoDDL returns the statements Django d writes to create a session
// model for each table, on database (DATABASES["default"]), without their
// semicolons.
func DjangoDDL(t *testing.T, d djangotest.Django, database map[string]any, tables []string) [][]string {
	t.Helper()
	in, err := json.Marshal(map[string]any{"database": database, "tables": tables})
	if err != nil {
		t.Fatal(err)
	}
	out := pyrun.Output(t, ddlScript, []string{"PYTHONPATH=" + d.PythonPath}, in)
	var res [][]string
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("DjangoDDL: %v in %q", err, out)
	}
	return res
}

// Tables are custom session table names for the DDL comparison: plain,
// with characters that need care, and long enough for Django to shorten
// the index names (on every engine's limit), or to start them with a
// digit.
var Tables = []string{
	"django_session",
	"myapp_customsession",
	"Mixed_Case",
	"sess ions-é",
	"a_very_long_session_table_name_that_goes_on_and_on_for_ages_xyz",
	"b23456789012345678901234567890123456789012345678901234567890123",
	"9_starts_with_a_digit_and_long_enough_to_be_shortened",
	"_under_score_and_long_enough_to_be_shortened_by_django",
}
