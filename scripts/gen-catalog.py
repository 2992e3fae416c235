#!/usr/bin/env python3
"""Write the catalog benchmark's workload: N campaigns as a marketer writes
them, each with a `when:` block of its own, and a 20-line cart.

  automatic  half of the campaigns; each is aimed at one of 40 customer
             segments (the request's customer is in two of them), so about
             5% of them can apply to the cart, and each adds one of ten
             kinds of conditions (cart thresholds, items, customer tier,
             segments, country, recency, channel and store, days and hours
             in a zone, any/all/not), no two alike
  code       40% need a code the request does not present
  expired    10% are out of schedule
  --all-auto every campaign is automatic

Usage:
  gen-catalog.py OUT [-n N] [--all-auto]
      OUT/bundle, OUT/evaluate.json, OUT/opa_input.json
  gen-catalog.py --decide BUILT
      BUILT is the unpacked output of `promoctl build` on OUT/bundle (its
      data.json and the Rego generated from the when: blocks); writes
      BUILT/promo/decide.rego, whose data.promo.decide.eligible is the set
      of automatic campaigns whose rule holds, for a plain OPA server
"""
import argparse
import json
import os

TIERS = ["vip", "premium", "basic", "advanced"]
COUNTRIES = ["IE", "DE", "RO", "FR", "US", "GB"]
DAYS = [["sat", "sun"], ["weekdays"], ["mon", "tue", "wed"], ["thu", "fri"]]
ZONES = ["Europe/Dublin", "Europe/Berlin", "Europe/Bucharest", "America/New_York", "UTC"]


def seg(k):
    return f"seg{k % 200}"


def conditions(i):
    """Campaign i's own conditions: one of ten kinds, with values from i."""
    kind = i % 10
    tier, country = TIERS[i % 4], COUNTRIES[i % 6]
    if kind == 0:
        return {"cart": {"subtotal": {"over": 5000 + i * 7}}, "customer": {"tier": tier}}
    if kind == 1:
        return {"items": {"categories": [f"cat{i % 40}"], "quantity": {"at_least": 1 + i % 3}},
                "customer": {"segments": [seg(i), seg(i * 3)]}}
    if kind == 2:
        return {"customer": {"country": country, "orders": {"at_least": i % 12}},
                "cart": {"items": {"at_least": 2 + i % 9}}}
    if kind == 3:
        return {"customer": {"days_since_last_order": {"over": 30 + i % 300}},
                "cart": {"subtotal": {"at_least": 2000 + i * 11}}}
    if kind == 4:
        return {"days": DAYS[i % 4], "hours": {"from": f"{6 + i % 10:02d}:00", "until": "23:00"},
                "timezone": ZONES[i % 5], "cart": {"subtotal": {"over": 1000 + i}}}
    if kind == 5:
        return {"any": [{"customer": {"tier": tier}}, {"customer": {"segments": [seg(i)]}},
                        {"cart": {"subtotal": {"over": 90000 + i}}}]}
    if kind == 6:
        return {"items": {"attributes": {"brand": f"brand{i % 25}"}, "subtotal": {"at_least": 1000 + i}},
                "not": {"customer": {"segments": ["staff"]}}}
    if kind == 7:
        channels = ["web", "pos"] if i % 2 == 0 else ["app", "pos"]
        return {"channel": channels, "store": [f"store-{i % 30}", "berlin-1"],
                "customer": {"signed_in": True}}
    if kind == 8:
        return {"customer": {"days_since_sign_up": {"at_least": 10 + i % 700},
                             "tier": [tier, TIERS[(i + 1) % 4]]},
                "items": {"min_unit_price": 500 + i % 3000}}
    return {"all": [{"cart": {"items": {"at_least": 1 + i % 15}}},
                    {"customer": {"country": [country, COUNTRIES[(i + 2) % 6]]}},
                    {"not": {"items": {"skus": [f"SKU{i % 20}X"]}}}]}


def campaign(i, all_auto):
    """Campaign i's document and whether it is automatic."""
    when = [{"customer": {"segments": [f"seg{(i // 10) % 40}"]}}, conditions(i)]
    doc = {"name": f"campaign {i}", "priority": i % 100, "currency": "USD", "when": when,
           "effects": [{"type": "percent_off", "percent": 1 + i % 10, "scope": "cart"}]}
    if all_auto:
        return doc, True
    slot = i % 10
    if slot in (1, 3, 5, 7):
        doc["code"] = f"CODE{i:04d}"
        return doc, False
    if slot == 9:
        doc["valid_from"], doc["valid_until"] = "2020-01-01T00:00:00", "2020-02-01T00:00:00"
        return doc, False
    return doc, True


def request():
    items = [{"id": f"l{j}", "sku": f"SKU{j}",
              "categories": [f"cat{j % 40}", f"cat{(j * 7) % 40}"],
              "quantity": 1 + j % 3, "unit_price": 500 + j * 137,
              "attributes": {"brand": f"brand{j % 25}"}} for j in range(20)]
    return {"cart": {"id": "perf", "currency": "USD", "items": items,
                     "shipping": {"method": "standard", "amount": 599}},
            "customer": {"id": "u1", "tier": "vip", "segments": ["seg3", "seg17", "newsletter"],
                         "country": "IE", "orders_count": 7, "last_order_at": "2026-06-01T10:00:00Z",
                         "created_at": "2024-01-01T00:00:00Z", "timezone": "Europe/Dublin"},
            "context": {"now": "2026-11-24T12:00:00Z", "channel": "web", "store_id": "berlin-1"}}


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))


def catalog(out, n, all_auto):
    bundle = os.path.join(out, "bundle")
    write(os.path.join(bundle, ".manifest"), {"revision": "catalog-1", "roots": ["promo"]})
    auto = 0
    for i in range(n):
        doc, is_auto = campaign(i, all_auto)
        auto += is_auto
        write(os.path.join(bundle, "promo", "campaigns", f"c{i:04d}", "data.json"), doc)
    req = request()
    write(os.path.join(out, "evaluate.json"), req)
    write(os.path.join(out, "opa_input.json"), {"input": req})
    print(f"{n} campaigns, {auto} automatic, each with its own when: block")


def decide(built):
    """The eligibility-only policy over the rules promoctl build generated."""
    with open(os.path.join(built, "data.json")) as f:
        camps = json.load(f)["promo"]["campaigns"]
    lines = ["package promo.decide", ""]
    for cid in sorted(camps):
        c = camps[cid]
        if c.get("code") or c.get("valid_from"):
            continue
        lines.append(f'eligible contains "{cid}" if data.promo.rules.{c["rule"]}.eligible')
    write(os.path.join(built, "promo", "decide.rego"), "\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?")
    ap.add_argument("-n", type=int, default=1000, help="campaigns (default 1000)")
    ap.add_argument("--all-auto", action="store_true", help="every campaign automatic")
    ap.add_argument("--decide", metavar="BUILT", help="write BUILT/promo/decide.rego and stop")
    args = ap.parse_args()
    if args.decide:
        decide(args.decide)
    elif args.out:
        catalog(args.out, args.n, args.all_auto)
    else:
        ap.error("give OUT or --decide BUILT")


if __name__ == "__main__":
    main()
