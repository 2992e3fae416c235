package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const adminToken = "ui-test-token"

// TestDashboardInChromium drives every panel of /ui/ in one headless
// Chromium against a real sidecar (bbolt store, the example bundle plus a
// limited campaign, generated vouchers and an experiment, an admin token)
// after real traffic through the API: each panel shows what the API
// answers; the kill switch and the shadow's promotion ask first, and a
// cancel changes nothing; the page asks no host but the sidecar, and logs
// no error and no CSP refusal. It writes a screenshot of each panel.
func TestDashboardInChromium(t *testing.T) {
	browserPath := chromium(t)
	tr := makeTraffic(t)
	s, base := tr.s, tr.base
	want := tr.expect(t)

	ctx, requests, problems := openBrowser(t, browserPath)
	start := time.Now()
	shots := screenshots(t)
	do(t, ctx, "open the dashboard and enter the token",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(`tr[data-campaign="first-10"] .bar`),
		chromedp.SendKeys("#admin-token", adminToken),
		chromedp.Click(`#token-form button[type=submit]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('tr[data-campaign="first-10"] [data-stat=redemptions]').textContent === "3"
			&& document.querySelector('[data-experiment="ab-test"]') && document.querySelector('#shadow-campaigns')`))

	// Every field has a label, every button and link a name, every chart
	// a caption it is labelled by and every mark of it a <title>, every
	// table a caption, every state its word (not a colour alone), and
	// every status or error line is a live region.
	unnamed := eval[[]string](t, ctx, `(() => {
		const out = [];
		for (const e of document.querySelectorAll('input, select')) if (!e.labels.length) out.push('field ' + e.id);
		for (const e of document.querySelectorAll('button, a')) if (!(e.getAttribute('aria-label') || e.textContent.trim())) out.push(e.outerHTML);
		for (const e of document.querySelectorAll('svg.chart')) if (!document.getElementById(e.getAttribute('aria-labelledby') || '')) out.push('chart ' + e.id);
		const marks = document.querySelectorAll('svg.chart rect, svg.chart polyline');
		if (!marks.length) out.push('no chart drawn');
		for (const e of marks) if (!e.querySelector('title')) out.push('a mark without a title in chart ' + e.closest('svg').id);
		for (const e of document.querySelectorAll('table')) if (!e.caption || !e.caption.textContent.trim()) out.push('table ' + e.id);
		for (const e of document.querySelectorAll('.state')) if (!e.textContent.trim()) out.push('a state without its word: ' + e.outerHTML);
		for (const e of document.querySelectorAll('p.result, p.error, #refresh-status')) if (!['status', 'alert'].includes(e.getAttribute('role'))) out.push('not a live region: ' + e.id);
		return out;
	})()`)
	if len(unnamed) > 0 {
		t.Errorf("the page has unlabelled parts: %v", unnamed)
	}
	// Text contrast (WCAG AA): 4.5:1, 3:1 for large text, against the
	// nearest background drawn behind it.
	lowContrast := eval[[]string](t, ctx, `(() => {
		const rgb = (c) => c.match(/[\d.]+/g).map(Number);
		const lum = (c) => { const [r, g, b] = rgb(c).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
			return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
		const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; const m = rgb(c);
			if (m.length < 4 || m[3] > 0) return c; } return 'rgb(255, 255, 255)'; };
		const out = [];
		for (const e of document.querySelectorAll('body *')) {
			if (!e.getClientRects().length || e.closest('svg, dialog:not([open])')) continue;
			if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
			const st = getComputedStyle(e), size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
			const [a, b] = [lum(st.color), lum(bg(e))];
			const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			if (ratio < (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5)) out.push(e.tagName + ' "' + e.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
		}
		return out;
	})()`)
	if len(lowContrast) > 0 {
		t.Errorf("text below WCAG AA contrast: %v", lowContrast)
	}

	// Overview and the campaigns table: the statistics' numbers, the bars.
	got := eval[map[string]string](t, ctx, `(() => {
		const q = (s) => document.querySelector(s).textContent;
		const b = document.querySelector('tr[data-campaign="first-10"] [role=progressbar][data-limit=redemptions]');
		return {applied: q('[data-total=applied] dd'), redemptions: q('[data-total=redemptions] dd'),
			rowApplied: q('tr[data-campaign="first-10"] [data-stat=applied]'), rowRedemptions: q('tr[data-campaign="first-10"] [data-stat=redemptions]'),
			bar: b.getAttribute('aria-valuetext'), width: b.querySelector('.fill').style.width,
			rejections: q('tr[data-campaign=' + JSON.stringify(`+strconv.Quote(want.rejectedCampaign)+`) + '] [data-stat=rejections] .reason-text')};
	})()`)
	check(t, "overview and campaigns", got, map[string]string{
		"applied": fmt.Sprint(want.applied), "redemptions": fmt.Sprint(want.redemptions),
		"rowApplied": fmt.Sprint(want.first10.Applied), "rowRedemptions": "3",
		"bar": "3 of 10 redemptions", "width": "30%", "rejections": want.rejections})
	shots.take(ctx, "overview", "#overview")
	shots.take(ctx, "campaigns", "#campaigns-panel")

	// One campaign by day: the charts draw the statistics' days.
	do(t, ctx, "choose first-10",
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#detail-campaign'); s.value = 'first-10'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#chart-activity').dataset.campaign === 'first-10'`))
	got = eval[map[string]string](t, ctx, `(() => {
		const sum = (sel) => String([...document.querySelectorAll(sel)].reduce((n, r) => n + Number(r.dataset.value), 0));
		return {redemptions: sum('#chart-activity rect[data-series=redemptions]'), discount: sum('#chart-money rect[data-series=discount]'),
			applied: document.querySelector('#chart-activity polyline[data-series=applied]').dataset.total,
			rejected: sum('#chart-rejections rect'), days: String(document.querySelectorAll('#chart-activity text.tick').length > 0)};
	})()`)
	check(t, "campaign by day", got, map[string]string{"redemptions": "3", "applied": fmt.Sprint(want.first10.Applied),
		"discount": fmt.Sprint(want.first10.Discount), "rejected": fmt.Sprint(want.first10Rejected), "days": "true"})
	shots.take(ctx, "campaign-by-day", "#detail")
	do(t, ctx, "choose a campaign with rejections",
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#detail-campaign'); s.value = `+strconv.Quote(want.rejectedCampaign)+`;
			s.dispatchEvent(new Event('change')); })()`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#chart-rejections').dataset.campaign === `+strconv.Quote(want.rejectedCampaign)))
	got = eval[map[string]string](t, ctx, `({rejected: String([...document.querySelectorAll('#chart-rejections rect')].reduce((n, r) => n + Number(r.dataset.value), 0)),
		legend: [...document.querySelectorAll('#legend-rejections li')].map((li) => li.dataset.series + ' ' + li.querySelector('strong').textContent).join(', ')})`)
	check(t, "rejections by day", got, map[string]string{"rejected": fmt.Sprint(want.rejectedTotal), "legend": want.rejections})
	shots.take(ctx, "rejections-by-day", "#detail")

	// The experiment: its variants' counts, the interval, the mismatch.
	got = eval[map[string]string](t, ctx, `(() => {
		const card = document.querySelector('[data-experiment="ab-test"]');
		const out = {warning: String(!!card.querySelector('[data-warning=sample-ratio]'))};
		for (const tr of card.querySelectorAll('tr[data-variant]')) {
			out[tr.dataset.variant] = tr.children[2].textContent + '/' + tr.children[4].textContent;
			out[tr.dataset.variant + '-ci'] = tr.querySelector('[data-ci]').dataset.ci;
		}
		return out;
	})()`)
	check(t, "experiment", got, want.experiment)
	shots.take(ctx, "experiments", "#experiments")

	// The shadow bundle's differences.
	got = eval[map[string]string](t, ctx, `(() => {
		const q = (s) => document.querySelector(s);
		const row = q('#shadow-campaigns tr[data-campaign="shadow-5"]');
		return {compared: q('#shadow-body [data-fact="Compared"]').textContent, shadow5: row.children[1].textContent + '/' + row.children[2].textContent,
			samples: String(document.querySelectorAll('#shadow-samples tbody tr').length)};
	})()`)
	check(t, "shadow", got, want.shadow)
	shots.take(ctx, "shadow", "#shadow")

	// Redemption search by customer, order and code, and the CSV.
	for _, q := range []struct{ field, value string }{{"customer", "u-1"}, {"order", "o-2"}, {"code", strings.ToLower(tr.code)}} {
		do(t, ctx, "search by "+q.field,
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#search-field').value = `+strconv.Quote(q.field)+`;
				document.querySelector('#search-value').value = ''`),
			chromedp.SendKeys("#search-value", q.value+"\r"),
			chromedp.Poll[chromedp.Void](`document.querySelector('#search-status').textContent.includes(`+strconv.Quote(q.field+" "+q.value)+`)`))
		if n, w := eval[int](t, ctx, `document.querySelectorAll('#search-results tbody tr').length`), len(tr.ledger(t, q.field, q.value)); n != w || n == 0 {
			t.Errorf("search by %s %s shows %d rows, the ledger has %d", q.field, q.value, n, w)
		}
	}
	csvFile := downloadCSV(t, ctx)
	if w := tr.ledgerCSV(t, "code", strings.ToLower(tr.code)); csvFile != w {
		t.Errorf("the CSV downloaded:\n%s\nthe ledger's:\n%s", csvFile, w)
	}
	shots.take(ctx, "redemptions", "#search")

	// A customer's wallet, and a code.
	do(t, ctx, "show the wallet of u-1",
		chromedp.SendKeys("#wallet-customer", "u-1\r"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#wallet-status').textContent.startsWith('Wallet of u-1')`))
	got = eval[map[string]string](t, ctx, `({balance: document.querySelector('#wallet-facts [data-fact=Balance]').textContent,
		transactions: String(document.querySelectorAll('#wallet-transactions tbody tr[data-tx]').length)})`)
	check(t, "wallet", got, want.wallet)
	shots.take(ctx, "wallet", "#wallet")
	do(t, ctx, "look the voucher up",
		chromedp.SendKeys("#code-value", tr.code+"\r"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#code-facts [data-fact=State]')`))
	got = eval[map[string]string](t, ctx, `({state: document.querySelector('#code-facts [data-fact=State]').textContent,
		campaign: document.querySelector('#code-facts [data-fact=Campaign]').textContent})`)
	check(t, "code", got, want.code)
	shots.take(ctx, "code", "#code")

	// The webhook endpoints' deliveries.
	got = eval[map[string]string](t, ctx, `({crm: document.querySelector('#webhooks-table tr[data-endpoint=crm] [data-stat=delivered]').textContent,
		broken: document.querySelector('#webhooks-table tr[data-endpoint=broken] [data-stat=last_error]').textContent})`)
	if got["crm"] != want.webhooks["crm"] || !strings.Contains(got["broken"], want.webhooks["broken"]) {
		t.Errorf("webhooks: %v, want crm delivered %s and broken's error %q", got, want.webhooks["crm"], want.webhooks["broken"])
	}
	shots.take(ctx, "webhooks", "#webhooks")

	killSwitch(t, ctx, s, shots)

	// A dialog's close event arrives after close() returns: an opening that
	// begins before the previous one's event is dispatched takes only its
	// own answer (a confirm right after a cancel once read as the cancel).
	late, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`(async () => {
		const first = confirmAction({title: "a", message: "a", confirmLabel: "A"});
		document.querySelector("#confirm-cancel").click();
		const second = confirmAction({title: "b", message: "b", confirmLabel: "B"});
		await new Promise((r) => setTimeout(r, 0)); // the first close event is dispatched here
		document.querySelector("#confirm-ok").click();
		return [await first, await second];
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || len(late) != 2 || late[0] || !late[1] {
		t.Fatalf("a cancel then a confirm read as %v, %v; want [false true]", late, err)
	}

	// Promote the shadow: a cancel changes nothing, a confirm activates it.
	do(t, ctx, "promote the shadow, then cancel",
		chromedp.Click("#shadow-promote"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#confirm').open`),
		chromedp.Click("#confirm-cancel"),
		chromedp.Poll[chromedp.Void](`!document.querySelector('#confirm').open`))
	if rev := activeRevision(t, s); rev != want.revision {
		t.Fatalf("a cancelled promotion activated %s", rev)
	}
	do(t, ctx, "promote the shadow",
		chromedp.Click("#shadow-promote"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#confirm').open`),
		chromedp.Click("#confirm-ok"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#shadow-result').textContent.includes('is active')`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-shadow=none]') && document.querySelector('#bundle-active [data-fact="Active revision"]').textContent === 'shadow-ui'`))
	if rev := activeRevision(t, s); rev != "shadow-ui" {
		t.Errorf("after the promotion %s is active, want shadow-ui", rev)
	}

	// A file that is no bundle, loaded as the shadow: refused, nothing
	// changed; a good one loads.
	bad := filepath.Join(t.TempDir(), "bad.tar.gz")
	writeFile(t, bad, []byte("not a bundle"))
	do(t, ctx, "load a bad shadow",
		chromedp.SetUploadFiles("#shadow-file", []string{bad}),
		chromedp.Click(`#shadow-form button[type=submit]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#shadow-result').textContent.startsWith('Refused')`))
	if status, _ := s.DoAs(t, adminToken, "GET", "/v1/bundles/shadow", nil); status != 404 {
		t.Errorf("a refused shadow upload left a shadow: %d", status)
	}
	good := filepath.Join(t.TempDir(), "good.tar.gz")
	writeFile(t, good, sidecartest.ExampleTarball(t, "shadow-upload"))
	do(t, ctx, "load a shadow",
		chromedp.SetUploadFiles("#shadow-file", []string{good}),
		chromedp.Click(`#shadow-form button[type=submit]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#shadow-body [data-fact=Revision]') && document.querySelector('#shadow-body [data-fact=Revision]').textContent === 'shadow-upload'`))

	// The audit log shows what the page did.
	do(t, ctx, "the audit log",
		chromedp.Poll[chromedp.Void](`['bundle.shadow_promote', 'bundle.shadow', 'campaign.disable', 'ledger.export', 'code.lookup']
			.every((a) => document.querySelector('#audit-log tr[data-action="' + a + '"]'))`))
	shots.take(ctx, "audit", "#audit")
	shots.take(ctx, "bundle", "#bundle")
	shots.full(ctx)
	t.Logf("in the browser for %v", time.Since(start).Round(time.Millisecond))

	for _, u := range requests() {
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "blob:"+base+"/") {
			t.Errorf("the page requested %s: only %s may be asked", u, base)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page had script errors or CSP refusals: %v", p)
	}
}

// killSwitch: a wrong token is refused and changes nothing; with the
// right one, the dialog's Escape changes nothing and its confirm button,
// reached with the keyboard, disables the campaign.
func killSwitch(t *testing.T, ctx context.Context, s *sidecartest.Sidecar, shots *shotDir) {
	button := `tr[data-campaign="socks-bogo"] button.switch`
	do(t, ctx, "disable with a wrong token",
		chromedp.Click("#token-clear"),
		chromedp.SendKeys("#admin-token", "not-the-token"),
		chromedp.Click(button),
		chromedp.Poll[chromedp.Void](`document.querySelector('#confirm').open`),
		chromedp.Click("#confirm-ok"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#switch-result').textContent.includes('401')`))
	if msg := eval[string](t, ctx, `document.querySelector('#switch-result').textContent`); !strings.Contains(msg, "not changed") {
		t.Errorf("after a wrong token the page says %q", msg)
	}
	if st := campaign(t, s, "socks-bogo").Status; st != "active" {
		t.Errorf("socks-bogo is %q after a refused disable", st)
	}
	do(t, ctx, "open the kill switch's dialog",
		chromedp.Click("#token-clear"),
		chromedp.SendKeys("#admin-token", adminToken),
		chromedp.Click(button),
		chromedp.Poll[chromedp.Void](`document.querySelector('#confirm').open && document.activeElement.id === 'confirm-cancel'`))
	shots.page(ctx, "kill-switch-dialog")
	do(t, ctx, "Escape the dialog",
		chromedp.KeyEvent(kb.Escape),
		chromedp.Poll[chromedp.Void](`!document.querySelector('#confirm').open && document.querySelector('#switch-result').textContent.includes('not changed')`))
	if back := eval[bool](t, ctx, `document.activeElement === document.querySelector(`+strconv.Quote(button)+`)`); !back {
		t.Errorf("after Escape the focus is on %s, not back on the kill switch's button", eval[string](t, ctx, `document.activeElement.outerHTML`))
	}
	// A refresh updates the row in place: the focused button stays.
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => {
		const b = document.activeElement;
		await refresh();
		return b.matches(`+strconv.Quote(button)+`) && b.isConnected && document.activeElement === b;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || !kept {
		t.Errorf("a refresh took the focus off the kill switch's button (%v)", err)
	}
	if st := campaign(t, s, "socks-bogo").Status; st != "active" {
		t.Fatalf("socks-bogo is %q after the dialog was escaped", st)
	}
	do(t, ctx, "confirm with the keyboard",
		chromedp.Click(button),
		chromedp.Poll[chromedp.Void](`document.activeElement.id === 'confirm-cancel'`),
		chromedp.KeyEvent("\t"),
		chromedp.Poll[chromedp.Void](`document.activeElement.id === 'confirm-ok'`),
		chromedp.KeyEvent("\r"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#switch-result').textContent.includes('socks-bogo disabled')`),
		chromedp.Poll[chromedp.Void](`document.querySelector('tr[data-campaign="socks-bogo"] [data-state]').dataset.state === 'disabled'`))
	if st := campaign(t, s, "socks-bogo").Status; st != "disabled" {
		t.Errorf("socks-bogo is %q after the dashboard disabled it", st)
	}
	if reason := rejection(s.Evaluate(t, fmt.Sprintf(cart, "u-9", "")), "socks-bogo"); reason != policies.Disabled {
		t.Errorf("evaluate rejects socks-bogo with %q, want disabled", reason)
	}
	if kept := eval[string](t, ctx, `sessionStorage.getItem('promoedge.adminToken') || ''`); kept != adminToken {
		t.Errorf("sessionStorage keeps %q, want the admin token", kept)
	}
}

// downloadCSV clicks the search's CSV button with downloads going to a
// temporary directory, and returns the file it saved.
func downloadCSV(t *testing.T, ctx context.Context) string {
	t.Helper()
	dir := t.TempDir()
	_, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, browser.SetDownloadBehavior,
		browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
	if err != nil {
		t.Fatalf("allowing downloads: %v", err)
	}
	do(t, ctx, "download the CSV",
		chromedp.Click("#search-csv"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#search-status').textContent.startsWith('Downloaded')`))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "redemptions-*.csv"))
		if len(files) == 1 {
			if data, err := os.ReadFile(files[0]); err == nil && len(data) > 0 {
				return string(data)
			}
		}
	}
	t.Fatal("no CSV file was downloaded")
	return ""
}

func check(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s is %q, want %q (all: %v)", what, k, got[k], v, got)
		}
	}
}

// chromium is the path of a Chromium to drive. Without one the test skips,
// except under CI, where it fails: `make test` installs it (make ui-tools).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium on PATH: `make ui-tools` installs Debian's chromium (apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// openBrowser starts headless Chromium for the test (90 s at most) and
// returns its tab, the URLs the tab asked for and the errors it logged so
// far (script exceptions, console.error, refusals of its CSP).
func openBrowser(t *testing.T, path string) (context.Context, func() []string, func() []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true))
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	var mu sync.Mutex
	var urls, problems []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, e.Request.URL)
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, desc))
		case *log.EventEntryAdded:
			// Errors of network requests are the ones the test provokes:
			// a wrong token (401) and a bad bundle upload (400); any other
			// (a 404 the page asked for needlessly) is a problem. A request
			// to another host is caught by its URL instead. Other errors
			// are script errors and Content-Security-Policy refusals.
			provoked := e.Entry.Source == log.EntrySourceNetwork &&
				(strings.Contains(e.Entry.Text, "status of 401") || strings.Contains(e.Entry.Text, "status of 400"))
			if e.Entry.Level == log.EntryLevelError && !provoked {
				problems = append(problems, fmt.Sprintf("%s: %s (%s)", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, fmt.Sprintf("console.error %v", e.Args))
			}
		}
	})
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	read := func(s *[]string) func() []string {
		return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), (*s)...) }
	}
	return ctx, read(&urls), read(&problems)
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		// What the page says helps more than "timeout".
		said, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll('[role=status], [role=alert]')].map((e) => e.textContent.trim()).filter(Boolean).join(' | ')`))
		t.Fatalf("%s: %v; the page says: %s", what, err, said)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// campaignView is the part of GET /v1/campaigns/{id} the test reads.
type campaignView struct {
	Status string `json:"status"`
	Usage  *struct {
		Redemptions int64 `json:"redemptions"`
	} `json:"usage"`
}

func campaign(t *testing.T, s *sidecartest.Sidecar, id string) campaignView {
	t.Helper()
	status, out := s.Do(t, http.MethodGet, "/v1/campaigns/"+id, nil)
	var v campaignView
	if err := json.Unmarshal(out, &v); status != 200 || err != nil {
		t.Fatalf("GET /v1/campaigns/%s: %d %v %s", id, status, err, out)
	}
	return v
}

func rejection(d *policies.Decision, id string) policies.Reason {
	for _, r := range d.Rejected {
		if r.Campaign == id {
			return r.Reason
		}
	}
	return ""
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
