//go:build unix

package argon2

import (
	"syscall"
	"unsafe"

	"github.com/authd/authd/adapters/argon2/internal/argon2id"
)

// workMemory returns n blocks of anonymous memory mapped outside the Go
// heap, or heap blocks when the mapping fails. A slot's memory lives as
// long as the process: outside the heap it neither counts towards the
// collector's goal (which would otherwise let other garbage grow by as
// much) nor needs scanning; it holds no pointers. It is never unmapped.
func workMemory(n int) []argon2id.Block {
	size := n * int(unsafe.Sizeof(argon2id.Block{}))
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]argon2id.Block, n)
	}
	return unsafe.Slice((*argon2id.Block)(unsafe.Pointer(unsafe.SliceData(b))), n)
}
