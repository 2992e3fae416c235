;; Answers {"eligible": true} whatever the input: the host overhead benchmark.
(module
  (memory (export "memory") 2)
  ;; alloc: the input goes at 64 KiB, after the data; memory grows to fit it.
  (func (export "alloc") (param $n i32) (result i32)
    (local $need i32)
    (local.set $need (i32.shr_u (i32.add (i32.add (local.get $n) (i32.const 65536)) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $need) (memory.size))
      (then (if (i32.eq (memory.grow (i32.sub (local.get $need) (memory.size))) (i32.const -1))
        (then unreachable))))
    (i32.const 65536))
  (data (i32.const 0) "{\"eligible\":true}")
  (func (export "evaluate") (param $p i32) (param $n i32) (result i64)
    (i64.const 17))
)
