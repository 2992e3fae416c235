;; Hostile: evaluate calls WASI proc_exit(3).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "alloc") (param $n i32) (result i32) (i32.const 0))
  (func (export "evaluate") (param $p i32) (param $n i32) (result i64)
    (call $exit (i32.const 3))
    (i64.const 0))
)
