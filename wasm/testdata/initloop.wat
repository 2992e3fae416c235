;; Hostile: its _initialize never returns (refused at load, after the init deadline).
(module
  (memory (export "memory") 1)
  (func (export "_initialize") (loop $l (br $l)))
  (func (export "alloc") (param $n i32) (result i32) (i32.const 0))
  (func (export "evaluate") (param $p i32) (param $n i32) (result i64) (i64.const 0))
)
