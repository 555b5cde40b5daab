// Package zaplog implements ports.Logger with go.uber.org/zap, writing JSON
// (or console text) lines with sampling turned off: zap's production preset
// samples, and an access log built on it silently drops most lines under
// load.
//
// It imports only domain, ports, zap and the standard library.
package zaplog

import (
	"fmt"
	"io"

	"github.com/authd/authd/ports"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Logger is a ports.Logger on zap.
type Logger struct {
	z *zap.Logger
}

// New returns a logger writing to w at level ("debug", "info", "warn",
// "error") in format ("json" or "console"). Every line is written: there is
// no sampling.
func New(w io.Writer, level, format string) (*Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("zaplog: level %q: %w", level, err)
	}
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = "ts"
	cfg.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	cfg.EncodeDuration = zapcore.StringDurationEncoder
	var enc zapcore.Encoder
	switch format {
	case "json":
		enc = zapcore.NewJSONEncoder(cfg)
	case "console":
		enc = zapcore.NewConsoleEncoder(cfg)
	default:
		return nil, fmt.Errorf("zaplog: format %q: want json or console", format)
	}
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), lvl)
	return &Logger{z: zap.New(core)}, nil
}

func fields(fs []ports.Field) []zap.Field {
	out := make([]zap.Field, len(fs))
	for i, f := range fs {
		out[i] = zap.Any(f.Key, f.Value)
	}
	return out
}

// Info logs at info level.
func (l *Logger) Info(msg string, fs ...ports.Field) { l.write(zapcore.InfoLevel, msg, fs) }

// Warn logs at warn level.
func (l *Logger) Warn(msg string, fs ...ports.Field) { l.write(zapcore.WarnLevel, msg, fs) }

// Error logs at error level.
func (l *Logger) Error(msg string, fs ...ports.Field) { l.write(zapcore.ErrorLevel, msg, fs) }

// write converts the fields only when the level is enabled, so a request
// log turned down to errors costs next to nothing.
func (l *Logger) write(level zapcore.Level, msg string, fs []ports.Field) {
	if ce := l.z.Check(level, msg); ce != nil {
		ce.Write(fields(fs)...)
	}
}

// Sync flushes buffered lines.
func (l *Logger) Sync() error { return l.z.Sync() }
