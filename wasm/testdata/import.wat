;; Hostile: imports a host function that is not WASI (refused at load).
(module
  (import "env" "http_get" (func $get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "alloc") (param $n i32) (result i32) (i32.const 0))
  (func (export "evaluate") (param $p i32) (param $n i32) (result i64)
    (drop (call $get (local.get $p) (local.get $n)))
    (i64.const 0))
)
