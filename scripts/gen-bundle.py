#!/usr/bin/env python3
"""Write the evaluate benchmark's workload: a bundle of N campaigns with
small Rego rules, a 20-line cart, and the same rules for a plain OPA server.

The workload is the one policies/bundle/bundletest writes for the Go
benchmarks (the two must stay alike, so that the in-process and the HTTP
figures describe the same thing):

  rules      campaign i's rule is, in turn, a subtotal threshold, a
             category in the cart, a customer tier, or a count of units
  mixed      of every 20 campaigns, 18 need a code the request does not
             present, 1 is out of schedule and 1 is automatic (the default)
  all-auto   every campaign is automatic and runs its rule (--all-auto)

Usage: gen-bundle.py OUT [-n N] [--all-auto]

OUT/bundle            the bundle promoedge serves
OUT/opa               the same rules plus promo/decide.rego, whose
                      data.promo.decide.eligible is the set of automatic
                      campaigns whose rule holds: eligibility only, nothing
                      priced, no schedule or code checked
OUT/evaluate.json     the body of POST /v1/evaluate
OUT/opa_input.json    the same request as {"input": ...} for OPA's data API
"""
import argparse
import json
import os

TIERS = ["vip", "premium", "basic"]


def rule_body(i):
    """Campaign i's rule, one of four kinds in turn."""
    kind = i % 4
    if kind == 0:
        floor = 5000 + (i % 50) * 100
        return ("eligible if { sum([p | some it in input.cart.items; "
                f"p := it.quantity * it.unit_price]) >= {floor} }}")
    if kind == 1:
        return f'eligible if {{ some it in input.cart.items; "cat{i % 40}" in it.categories }}'
    if kind == 2:
        return f'eligible if {{ input.customer.tier == "{TIERS[i % 3]}" }}'
    return f"eligible if {{ sum([it.quantity | some it in input.cart.items]) >= {2 + i % 20} }}"


def campaign(i, rule, all_auto):
    """Campaign i's document and whether it is automatic."""
    doc = {"name": f"campaign {i}", "priority": i % 100, "rule": rule,
           "effects": [{"type": "percent_off", "percent": 5 + i % 10, "scope": "cart"}]}
    if all_auto:
        return doc, True
    slot = i % 20
    if slot == 18:
        doc["valid_from"], doc["valid_until"] = "2020-01-01T00:00:00", "2020-02-01T00:00:00"
        return doc, False
    if slot == 19:
        return doc, True
    doc["code"] = f"CODE{i:04d}"
    return doc, False


def request():
    """The 20-line cart every benchmark prices."""
    items = [{"id": f"l{j}", "sku": f"SKU{j}",
              "categories": [f"cat{j % 40}", f"cat{(j * 7) % 40}"],
              "quantity": 1 + j % 3, "unit_price": 500 + j * 137} for j in range(20)]
    return {"cart": {"id": "perf", "currency": "USD", "items": items,
                     "shipping": {"method": "standard", "amount": 599}},
            "customer": {"id": "u1", "tier": "vip", "segments": ["a"]},
            "context": {"now": "2026-11-24T12:00:00Z", "channel": "web"}}


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("-n", type=int, default=1000, help="campaigns (default 1000)")
    ap.add_argument("--all-auto", action="store_true", help="every campaign automatic")
    args = ap.parse_args()

    bundle, opa = os.path.join(args.out, "bundle"), os.path.join(args.out, "opa")
    write(os.path.join(bundle, ".manifest"), {"revision": "perf-1", "roots": ["promo"]})
    automatic = []
    for i in range(args.n):
        rule = f"r{i:04d}"
        module = f"package promo.rules.{rule}\n\n{rule_body(i)}\n"
        for root in (bundle, opa):
            write(os.path.join(root, "promo", "rules", rule + ".rego"), module)
        doc, auto = campaign(i, rule, args.all_auto)
        write(os.path.join(bundle, "promo", "campaigns", f"c{i:04d}", "data.json"), doc)
        if auto:
            automatic.append((f"c{i:04d}", rule))

    decide = ["package promo.decide", ""]
    decide += [f'eligible contains "{cid}" if data.promo.rules.{rule}.eligible' for cid, rule in automatic]
    write(os.path.join(opa, "promo", "decide.rego"), "\n".join(decide) + "\n")

    req = request()
    write(os.path.join(args.out, "evaluate.json"), req)
    write(os.path.join(args.out, "opa_input.json"), {"input": req})
    print(f"{args.n} campaigns, {len(automatic)} automatic")


if __name__ == "__main__":
    main()
