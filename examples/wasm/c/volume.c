/*
 * The "volume" promotion rule as a custom wasm module in C, freestanding
 * (no libc, no WASI): 5% off the cart for every unit past the second, up to
 * 25%, for carts of at least 3 units.
 *
 *   clang --target=wasm32 -O2 -nostdlib -ffreestanding \
 *         -Wl,--no-entry -o volume_c.wasm volume.c
 *
 * The module exports its memory, alloc and evaluate. alloc hands out the
 * start of the heap every time: the host calls it once per evaluation, so
 * the previous input is no longer needed and memory never grows past the
 * largest input.
 */

#define EXPORT(name) __attribute__((export_name(name)))

extern unsigned char __heap_base;

static char out[160];

EXPORT("alloc") unsigned char *alloc(unsigned int n) {
	unsigned long need = (unsigned long)&__heap_base + n;
	unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
	if (need > have &&
	    __builtin_wasm_memory_grow(0, (need - have + 65535) / 65536) == (unsigned long)-1)
		return 0; /* the host reports a pointer outside memory */
	return &__heap_base;
}

/* A tiny JSON reader: just enough to walk to cart.items[*].quantity and skip
 * everything else. */
static const unsigned char *p, *end;

static void ws(void) {
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
}

static void skip_string(void) {
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	p++;
}

static void skip_value(void) {
	ws();
	if (p >= end)
		return;
	if (*p == '"') {
		skip_string();
		return;
	}
	if (*p == '{' || *p == '[') {
		int depth = 0;
		do {
			if (*p == '"') {
				skip_string();
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']')
				depth--;
			p++;
		} while (p < end && depth > 0);
		return;
	}
	while (p < end && *p != ',' && *p != '}' && *p != ']')
		p++;
}

/* key reads "key": and says whether it is want. */
static int key(const char *want) {
	int same = 1;
	ws();
	p++; /* opening quote */
	for (; p < end && *p != '"'; p++, want++) {
		if (*p == '\\' || *p != (unsigned char)*want)
			same = 0;
		if (*want == 0)
			want--;
	}
	same = same && *want == 0;
	p++;
	ws();
	p++; /* colon */
	ws();
	return same;
}

/* object calls field for each key of the object at p; field must consume
 * the value. */
static void object(void (*field)(void)) {
	ws();
	if (p >= end || *p != '{') {
		skip_value();
		return;
	}
	p++;
	for (;;) {
		ws();
		if (p >= end || *p == '}') {
			p++;
			return;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		field();
	}
}

static long units;

static void item_field(void) {
	if (!key("quantity")) {
		skip_value();
		return;
	}
	long n = 0;
	while (p < end && *p >= '0' && *p <= '9')
		n = n * 10 + (*p++ - '0');
	units += n;
	skip_value(); /* a fraction or exponent, if any */
}

static void cart_field(void) {
	if (!key("items")) {
		skip_value();
		return;
	}
	ws();
	if (p >= end || *p != '[') {
		skip_value();
		return;
	}
	p++;
	for (;;) {
		ws();
		if (p >= end || *p == ']') {
			p++;
			return;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		object(item_field);
	}
}

static void top_field(void) {
	if (key("cart"))
		object(cart_field);
	else
		skip_value();
}

static int put(int at, const char *s) {
	while (*s)
		out[at++] = *s++;
	return at;
}

EXPORT("evaluate") unsigned long long evaluate(const unsigned char *in, unsigned int n) {
	p = in;
	end = in + n;
	units = 0;
	object(top_field);
	int len;
	if (units < 3) {
		len = put(0, "{\"eligible\":false,\"reasons\":[\"needs at least 3 units in the cart\"]}");
	} else {
		long pct = 5 * (units - 2);
		if (pct > 25)
			pct = 25;
		len = put(0, "{\"eligible\":true,\"effects\":[{\"type\":\"percent_off\",\"percent\":");
		if (pct >= 10)
			out[len++] = '0' + pct / 10;
		out[len++] = '0' + pct % 10;
		len = put(len, ",\"scope\":\"cart\"}]}");
	}
	return (unsigned long long)(unsigned long)out << 32 | (unsigned int)len;
}
