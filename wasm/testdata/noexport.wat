;; Broken: exports evaluate with the wrong signature.
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param $n i32) (result i32) (i32.const 0))
  (func (export "evaluate") (param $p i32) (result i32) (i32.const 0))
)
