package ports

// Field is one key-value pair of a structured log line.
type Field struct {
	Key   string
	Value any
}

// F returns the field key=value.
func F(key string, value any) Field { return Field{Key: key, Value: value} }

// Logger writes structured log lines. Callers never pass tokens, passwords or
// Authorization headers to it.
type Logger interface {
	// Info logs an event of normal operation.
	Info(msg string, fields ...Field)
	// Warn logs something an operator should look at.
	Warn(msg string, fields ...Field)
	// Error logs a failure that was not expected.
	Error(msg string, fields ...Field)
}
