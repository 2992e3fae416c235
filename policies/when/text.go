package when

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// currencies the reasons write with a symbol; others are written with
// their code. exp is the number of minor-unit digits.
var currencies = map[string]struct {
	sym string
	exp int
}{
	"USD": {"$", 2}, "EUR": {"€", 2}, "GBP": {"£", 2}, "JPY": {"¥", 0}, "CAD": {"CA$", 2}, "AUD": {"A$", 2},
	"INR": {"₹", 2}, "KRW": {"₩", 0}, "BRL": {"R$", 2}, "MXN": {"MX$", 2}, "CNY": {"CN¥", 2},
}

// money writes an amount of minor units for people: "$1,250", "$19.99",
// "1,250.00 CHF", or "1,250.00" when the currency is not known.
func money(n int64, currency string) string {
	exp, sym := 2, ""
	if c, ok := currencies[currency]; ok {
		exp, sym = c.exp, c.sym
	}
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	whole, frac := n/unit, n%unit
	s := thousands(whole)
	if frac != 0 || (sym == "" && exp > 0) {
		s += fmt.Sprintf(".%0*d", exp, frac)
	}
	switch {
	case sym != "":
		return sym + s
	case currency != "":
		return s + " " + currency
	}
	return s
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// orList joins names for a sentence: "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// scalar writes a decoded YAML/JSON scalar as a Rego term and as words.
func scalar(v any) (rego, words string) {
	switch x := v.(type) {
	case string:
		return quote(x), x
	case bool:
		return strconv.FormatBool(x), strconv.FormatBool(x)
	case json.Number:
		return x.String(), x.String()
	case float64:
		s := strconv.FormatFloat(x, 'f', -1, 64)
		return s, s
	case int:
		return strconv.Itoa(x), strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10), strconv.FormatInt(x, 10)
	}
	return "", ""
}

// oneOf is the Rego test that x is one of terms: x == t or x in {...}.
func oneOf(x string, terms []string) string {
	if len(terms) == 1 {
		return x + " == " + terms[0]
	}
	return x + " in {" + strings.Join(terms, ", ") + "}"
}

// zoneWords names a zone in a sentence.
func zoneWords(zone string) string {
	switch zone {
	case "UTC":
		return " (UTC)"
	case "customer":
		return " (the customer's time)"
	}
	return " (" + zone + " time)"
}

// zoneRego is the Rego term of a zone.
func zoneRego(zone string) string {
	if zone == "customer" {
		return "customer_tz"
	}
	return quote(zone)
}
