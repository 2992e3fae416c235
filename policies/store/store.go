package store

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Bucket names.
var (
	bMeta        = []byte("meta")
	bRedemptions = []byte("redemptions") // id -> Redemption JSON
	bIdempotency = []byte("idempotency") // key -> redemption id
	bUsage       = []byte("usage")       // campaign -> usage (16 bytes: count, spent)
	bCustomers   = []byte("customers")   // campaign \x00 customer -> count (8 bytes)
	bResponses   = []byte("responses")   // redemption id -> the JSON answered
	bCodes       = []byte("codes")       // code -> Code JSON
	bLedger      = []byte("ledger")      // time (8) seq (8) -> kind (1) redemption id
	bPoints      = []byte("points")      // seq (8) -> credit JSON, in time order
	bBalances    = []byte("balances")    // customer -> points (8 bytes)
	allBuckets   = [][]byte{bMeta, bRedemptions, bIdempotency, bResponses, bUsage, bCustomers, bCodes, bLedger, bPoints, bBalances, bCodeLog, bCodeSources, bAudit, bNotices, bHooks, bHookQueue, bHolds, bHeldRecs, bHeldAnswers}
)

// SchemaVersion is the layout this binary writes.
const SchemaVersion = 6

// migrations[v] moves a file from schema v to v+1.
var migrations = map[int]func(*bolt.Tx) error{
	1: migrateCodeLog,
	2: migrateFleet,
	3: migrateMembers,
	4: migrateWallets,
	5: migrateSeen,
}

// Config opens a Store.
type Config struct {
	// Path is the bbolt file.
	Path string
	// MaxBatch bounds how many redemptions one transaction commits.
	MaxBatch int
	// Linger is how long the committer waits for callers of the previous
	// batch to send their next redemption (see loop); 0 never waits.
	Linger time.Duration
	// Limiter checks and takes limits in each redemption's transaction;
	// nil compares this node's usage with the limits (limits.go).
	Limiter policies.Limiter
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// PruneInterval is how often the counters and rights of periods that
	// ended (per-period limits) are deleted, PeriodGrace after their end;
	// 0 is DefaultPruneInterval.
	PruneInterval time.Duration
	// WalletChanges keeps the list of wallets changed for a fleet's node
	// to tell its peers (TakeWalletChanges); a lone sidecar keeps none.
	WalletChanges bool
}

// DefaultPruneInterval is Config.PruneInterval's default.
const DefaultPruneInterval = 10 * time.Minute

// DefaultConfig keeps the file in dir.
func DefaultConfig(dir string) Config {
	return Config{Path: filepath.Join(dir, "promoedge.db"), MaxBatch: 256, Linger: 200 * time.Microsecond}
}

// Store is the bbolt file and its commit loop.
type Store struct {
	db      *bolt.DB
	limiter policies.Limiter
	now     func() time.Time
	queue   chan *commitReq
	stop    chan struct{}
	done    chan struct{}
	pruned  chan struct{} // closed when pruneLoop returns
	mu      sync.RWMutex  // guards closed against the queue
	closed  bool
	max     int
	linger  time.Duration
	noticed chan struct{} // signalled after a commit that queued notices (notices.go)
	hooked  atomic.Bool   // webhook endpoints are configured: changes emit notices
	// batchHooks are the endpoints' states as the commit loop's current
	// transaction changes them (notices.go); the loop's goroutine only.
	batchHooks *hooks
	events     chan *eventReq // events' group commit (eventcommit.go)
	evDone     chan struct{}
	expiry     *expirer  // releases reservations at their expiry (expiry.go)
	holds      heldCache // the records of reservations held (heldcache.go)
}

// Open opens or creates the file, migrating an older schema.
func Open(cfg Config) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := inspect(cfg.Path, 2*time.Second); err != nil {
		return nil, err
	}
	db, err := bolt.Open(cfg.Path, 0o600, &bolt.Options{
		Timeout:         2 * time.Second,
		FreelistType:    bolt.FreelistMapType,
		NoFreelistSync:  true,    // rebuilt on open; saves a write per commit (as etcd does)
		InitialMmapSize: 1 << 30, // address space, not memory: no remap while the file grows
	})
	if err != nil {
		return nil, openError(cfg.Path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := initSchema(tx); err != nil {
			return err
		}
		return keepWalletChanges(tx, cfg.WalletChanges)
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", cfg.Path, err)
	}
	s := &Store{db: db, limiter: cfg.Limiter, now: cfg.Now, max: cfg.MaxBatch, linger: cfg.Linger,
		queue: make(chan *commitReq, 4096), noticed: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		events: make(chan *eventReq, 4096), evDone: make(chan struct{}), expiry: newExpirer(), pruned: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if s.limiter == nil {
		s.limiter = local{}
	}
	if s.max <= 0 {
		s.max = 256
	}
	if err := s.loadHooked(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", cfg.Path, err)
	}
	go s.loop()
	if cfg.PruneInterval <= 0 {
		cfg.PruneInterval = DefaultPruneInterval
	}
	go s.pruneLoop(cfg.PruneInterval)
	go s.eventLoop()
	go s.expireLoop()
	return s, nil
}

func initSchema(tx *bolt.Tx) error {
	for _, name := range slices.Concat(allBuckets, fleetBuckets, walletBuckets, eventBuckets, statsBuckets, cardBuckets, referralBuckets, periodBuckets) {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bMeta)
	v := 0
	if raw := meta.Get([]byte("schema")); raw != nil {
		v = int(binary.BigEndian.Uint64(raw))
	} else {
		v = SchemaVersion // a new file starts at the current layout
	}
	if v > SchemaVersion {
		return fmt.Errorf("%w: file has schema %d, this binary writes %d", ErrSchema, v, SchemaVersion)
	}
	for ; v < SchemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return fmt.Errorf("migrating schema %d to %d: %w", v, v+1, err)
		}
	}
	return meta.Put([]byte("schema"), u64(uint64(v)))
}

// Close stops the commit loop after the queued redemptions and closes the
// file.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	<-s.done
	<-s.evDone
	<-s.expiry.done
	<-s.pruned
	return s.db.Close()
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getU64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
