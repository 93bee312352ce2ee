package serializer

import "strings"

// SafePickleGlobal is the default policy for the globals a pickle names
// (see Pickle.AllowGlobal). It refuses what can run code, touch the system or
// reach such things through an attribute:
//
//   - in builtins (Python 2: __builtin__, exceptions) every name except the
//     data types (set, frozenset, bytearray, bytes, object, str, int, float,
//     complex, bool, list, dict, tuple, slice, range, Ellipsis,
//     NotImplemented, and Python 2's unicode, long, basestring, xrange) and
//     the exception classes: eval, exec, getattr, __import__, open, compile
//     and the like are refused;
//   - every global of the modules os, posix, nt, sys, subprocess, shutil,
//     pty, importlib, runpy, code, pdb, timeit, profile, ctypes,
//     multiprocessing, threading, asyncio, socket, signal, webbrowser,
//     pickle, marshal, shelve, io, codecs, operator, types, inspect, gc,
//     ast, tempfile, http, urllib, xmlrpc, django.core.management,
//     django.utils.module_loading and a few more (and their submodules);
//   - copyreg globals other than _reconstructor, __newobj__ and
//     __newobj_ex__, and _codecs globals other than encode and decode;
//   - any name with a dunder part (Outer.__init__, x.__globals__) or a part
//     that names a dangerous module or function (posixpath.os, x.system,
//     y.popen, z.eval, ...).
//
// A list of this kind cannot be complete. Nothing Unmarshal reads is ever
// called, so a global that passes is only carried along as an opaque
// object; what the policy prevents is this package reading or writing
// pickles that carry obvious payloads. Set Pickle.AllowGlobal to an
// allowlist (say, your own apps' modules plus this function) for more.
func SafePickleGlobal(module, name string) bool {
	if module == "" || name == "" {
		return false
	}
	g := pkPython3Name(module, name)
	module, name = g.module, g.name
	switch module {
	case "builtins":
		return pkSafeBuiltin(name)
	case "copyreg":
		return name == "_reconstructor" || name == "__newobj__" || name == "__newobj_ex__"
	case "_codecs":
		return name == "encode" || name == "decode"
	}
	if pkDeniedModule(module) {
		return false
	}
	for part := range strings.SplitSeq(name, ".") {
		if part == "" || len(part) > 4 && strings.HasPrefix(part, "__") && strings.HasSuffix(part, "__") {
			return false
		}
		if pkDeniedNames[part] {
			return false
		}
	}
	return true
}

// pkPython3Name maps a Python 2 global to its Python 3 name, as CPython's
// unpickler does for protocols 0 to 2 (Python 3 names pass unchanged).
func pkPython3Name(module, name string) pkGlobalName {
	g := pkGlobalName{module, name}
	if m, ok := pkNameMapping[g]; ok {
		return m
	}
	if m, ok := pkImportMapping[module]; ok {
		g.module = m
	}
	return g
}

// pkPython2Name maps a Python 3 global to the name CPython's fix_imports
// writes at protocols 0 to 2.
func pkPython2Name(module, name string) pkGlobalName {
	g := pkGlobalName{module, name}
	if m, ok := pkReverseNameMapping[g]; ok {
		return m
	}
	if m, ok := pkReverseImportMapping[module]; ok {
		g.module = m
	}
	return g
}

func pkSafeBuiltin(name string) bool {
	switch name {
	case "set", "frozenset", "bytearray", "bytes", "object", "str", "int", "float",
		"complex", "bool", "list", "dict", "tuple", "slice", "range", "Ellipsis",
		"NotImplemented", "unicode", "long", "basestring", "xrange",
		"BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit",
		"StopIteration", "StopAsyncIteration", "BaseExceptionGroup", "ExceptionGroup":
		return true
	}
	if strings.ContainsAny(name, "._") {
		return false
	}
	return strings.HasSuffix(name, "Error") || strings.HasSuffix(name, "Exception") || strings.HasSuffix(name, "Warning")
}

// pkDeniedModule reports whether module is, or is inside, a denied module.
func pkDeniedModule(module string) bool {
	for m := module; ; {
		if pkDeniedModules[m] {
			return true
		}
		i := strings.LastIndexByte(m, '.')
		if i < 0 {
			return false
		}
		m = m[:i]
	}
}

var pkDeniedModules = map[string]bool{
	"os": true, "posix": true, "nt": true, "posixpath": true, "ntpath": true,
	"sys": true, "subprocess": true, "commands": true, "popen2": true,
	"_posixsubprocess": true, "shutil": true, "pty": true, "tty": true,
	"termios": true, "fcntl": true, "resource": true, "mmap": true,
	"signal": true, "importlib": true, "imp": true, "pkgutil": true,
	"zipimport": true, "runpy": true, "code": true, "codeop": true,
	"pdb": true, "bdb": true, "trace": true, "timeit": true, "profile": true,
	"cProfile": true, "ctypes": true, "_ctypes": true, "cffi": true,
	"multiprocessing": true, "_multiprocessing": true, "concurrent": true,
	"threading": true, "_thread": true, "thread": true, "asyncio": true,
	"socket": true, "_socket": true, "ssl": true, "select": true,
	"selectors": true, "socketserver": true, "webbrowser": true,
	"platform": true, "sysconfig": true, "site": true, "pickle": true,
	"_pickle": true, "cPickle": true, "pickletools": true, "marshal": true,
	"shelve": true, "dbm": true, "io": true, "_io": true, "codecs": true,
	"operator": true, "_operator": true, "types": true, "inspect": true,
	"gc": true, "ast": true, "compileall": true, "py_compile": true,
	"tempfile": true, "glob": true, "fileinput": true, "telnetlib": true,
	"ftplib": true, "smtplib": true, "poplib": true, "imaplib": true,
	"nntplib": true, "http": true, "urllib": true, "urllib2": true,
	"xmlrpc": true, "ensurepip": true, "venv": true, "distutils": true,
	"setuptools": true, "pip": true, "idlelib": true, "dill": true,
	"cloudpickle": true, "joblib": true, "yaml": true,
	"django.core.management": true, "django.utils.module_loading": true,
	"django.test": true,
}

var pkDeniedNames = map[string]bool{
	"os": true, "sys": true, "subprocess": true, "builtins": true,
	"system": true, "popen": true, "popen2": true, "popen3": true,
	"popen4": true, "Popen": true, "spawn": true, "spawnl": true,
	"spawnle": true, "spawnlp": true, "spawnlpe": true, "spawnv": true,
	"spawnve": true, "spawnvp": true, "spawnvpe": true, "posix_spawn": true,
	"posix_spawnp": true, "execl": true, "execle": true, "execlp": true,
	"execlpe": true, "execv": true, "execve": true, "execvp": true,
	"execvpe": true, "fork": true, "forkpty": true, "kill": true,
	"killpg": true, "eval": true, "exec": true, "execfile": true,
	"compile": true, "open": true, "file": true, "input": true,
	"raw_input": true, "import_module": true, "import_string": true,
	"getattr": true, "setattr": true, "delattr": true, "globals": true,
	"locals": true, "vars": true, "breakpoint": true, "reload": true,
	"call_command": true, "load": true, "loads": true, "unsafe_load": true,
	"full_load": true, "load_all": true, "check_output": true,
	"check_call": true, "getoutput": true, "getstatusoutput": true,
}
