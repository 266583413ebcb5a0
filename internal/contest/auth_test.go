package contest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// memAccounts keeps accounts and sessions in memory, for the registration service's own tests
// (the stores' transactions are tested in internal/db). The other stores are not used.
type memAccounts struct {
	Stores
	mu       sync.Mutex
	users    map[string]User // by email
	sessions map[string]Session
}

func newMemAccounts() *memAccounts {
	return &memAccounts{users: map[string]User{}, sessions: map[string]Session{}}
}

func (m *memAccounts) CreateUser(_ context.Context, u *User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[u.Email]; ok {
		return Errorf(EConflict, "账号已存在")
	}
	m.users[u.Email] = *u
	return nil
}

func (m *memAccounts) CreateAccount(ctx context.Context, u *User, s *Session) error {
	if err := ctx.Err(); err != nil {
		return Internal(err)
	}
	if err := m.CreateUser(ctx, u); err != nil {
		return err
	}
	return m.CreateSession(ctx, s)
}

func (m *memAccounts) UserByEmail(_ context.Context, email string) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.users[email]; ok {
		return u, nil
	}
	return User{}, Errorf(ENotFound, "账号不存在")
}

func (m *memAccounts) UserByID(_ context.Context, id string) (User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if u.ID == id {
			return u, nil
		}
	}
	return User{}, Errorf(ENotFound, "账号不存在")
}

func (m *memAccounts) SessionByTokenHash(_ context.Context, hash string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sessions[hash]; ok {
		return s, nil
	}
	return Session{}, Errorf(ENotFound, "会话不存在")
}

func (m *memAccounts) CreateSession(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.TokenHash] = *s
	return nil
}

// withoutSession lists the accounts that have no session.
func (m *memAccounts) withoutSession() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	has := map[string]bool{}
	for _, s := range m.sessions {
		has[s.UserID] = true
	}
	var out []string
	for email, u := range m.users {
		if !has[u.ID] {
			out = append(out, email)
		}
	}
	return out
}

// mustRegistration is the registration service over memory, at the lowest hashing cost.
func mustRegistration(t *testing.T, tune func(*Options)) (*RegistrationService, *memAccounts) {
	t.Helper()
	m := newMemAccounts()
	opts := Options{BcryptCost: bcrypt.MinCost, HashWorkers: 1}
	if tune != nil {
		tune(&opts)
	}
	return New(m, nil, opts).Registration, m
}

var zhang = SignUpInput{Email: "zhang@example.org", Password: "secret-pass", Name: "张三"}

func TestSignUp_OpensTheSessionWithTheAccount(t *testing.T) {
	reg, m := mustRegistration(t, nil)
	sess, u, err := reg.SignUp(context.Background(), zhang)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Token == "" || sess.UserID != u.ID || u.Role != RoleContestant {
		t.Fatalf("sign-up answered session %+v for %+v; want a session of the new contestant", sess, u)
	}
	if got, err := reg.Authenticate(context.Background(), sess.Token); err != nil || got.ID != u.ID {
		t.Fatalf("the sign-up's session: %+v, %v", got, err)
	}
	if bad := m.withoutSession(); len(bad) > 0 {
		t.Errorf("accounts without a session: %v", bad)
	}
}

func TestSignUp_AgainWithTheSamePasswordSignsIn(t *testing.T) {
	reg, _ := mustRegistration(t, nil)
	ctx := context.Background()
	_, first, err := reg.SignUp(ctx, zhang)
	if err != nil {
		t.Fatal(err)
	}
	again := zhang
	again.Email = " Zhang@Example.org " // as typed the second time
	sess, u, err := reg.SignUp(ctx, again)
	if err != nil || u.ID != first.ID || sess.UserID != first.ID {
		t.Fatalf("the same sign-up again: %+v, %v; want signed in to the account it created", u, err)
	}
	other := zhang
	other.Password = "another-pass"
	_, _, err = reg.SignUp(ctx, other)
	if ErrorFields(err)["email"].Code != "email_taken" {
		t.Fatalf("sign-up with a taken email and another password: %v, want email_taken", err)
	}
}

func TestSignUp_AgainIsCountedAgainstGuessing(t *testing.T) {
	reg, _ := mustRegistration(t, nil)
	ctx := context.Background()
	if _, _, err := reg.SignUp(ctx, zhang); err != nil {
		t.Fatal(err)
	}
	guess := zhang
	for i := range freeFailures + 1 {
		guess.Password = "guess-" + string(rune('a'+i)) + "-pass"
		if _, _, err := reg.SignUp(ctx, guess); ErrorFields(err)["email"].Code != "email_taken" {
			t.Fatalf("guess %d: %v, want email_taken", i+1, err)
		}
	}
	if _, _, err := reg.SignUp(ctx, zhang); ErrorCode(err) != ETooManyRequests {
		t.Fatalf("sign-up after %d wrong passwords: %v, want too_many_requests (the account's guard)", freeFailures+1, err)
	}
}

// occupy holds the service's only hashing worker until release.
func occupy(t *testing.T, reg *RegistrationService) (release func()) {
	t.Helper()
	return holdWorker(t, reg.passwords)
}

func TestSignUp_WhenTheLineIsTooLongTheClientIsToldToRetry(t *testing.T) {
	var waits int
	reg, m := mustRegistration(t, func(o *Options) {
		o.HashWait = time.Millisecond
		o.ObserveHashWait = func(time.Duration) { waits++ }
	})
	release := occupy(t, reg)
	_, _, err := reg.SignUp(context.Background(), zhang)
	if ErrorCode(err) != EUnavailable || RetryAfterOf(err) < time.Second {
		t.Fatalf("sign-up while the pool is busy: %v, want unavailable with a Retry-After", err)
	}
	if _, err := m.UserByEmail(context.Background(), zhang.Email); ErrorCode(err) != ENotFound {
		t.Fatalf("an account was created by the refused sign-up: %v", err)
	}
	if waits != 2 {
		t.Errorf("ObserveHashWait called %d times, want 2 (the holder, the refused sign-up)", waits)
	}
	release()
	if _, _, err := reg.SignUp(context.Background(), zhang); err != nil {
		t.Fatalf("the retry: %v", err)
	}
}

func TestSignUp_AClientThatLeavesWhileWaitingLeavesNoAccount(t *testing.T) {
	reg, m := mustRegistration(t, func(o *Options) { o.HashWait = time.Minute })
	release := occupy(t, reg)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() { _, _, err := reg.SignUp(ctx, zhang); got <- err }()
	waitInLine(t, reg.passwords, 1)
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("sign-up of a client that left: %v, want context.Canceled", err)
	}
	release()
	if _, err := m.UserByEmail(context.Background(), zhang.Email); ErrorCode(err) != ENotFound {
		t.Fatalf("the sign-up of a client that left created an account: %v", err)
	}
	if _, _, err := reg.SignUp(context.Background(), zhang); err != nil {
		t.Fatalf("pressing the button again: %v", err)
	}
	if bad := m.withoutSession(); len(bad) > 0 {
		t.Errorf("accounts without a session: %v", bad)
	}
}

func TestSignIn_RefusedForBusyDoesNotCountAsAFailure(t *testing.T) {
	reg, _ := mustRegistration(t, func(o *Options) { o.HashWait = time.Millisecond })
	ctx := context.Background()
	if _, _, err := reg.SignUp(ctx, zhang); err != nil {
		t.Fatal(err)
	}
	release := occupy(t, reg)
	for range 3 * freeFailures {
		if _, _, err := reg.SignIn(ctx, zhang.Email, zhang.Password); ErrorCode(err) != EUnavailable {
			t.Fatalf("sign-in while busy: %v, want unavailable", err)
		}
	}
	release()
	if _, _, err := reg.SignIn(ctx, zhang.Email, zhang.Password); err != nil {
		t.Fatalf("sign-in once the line is short: %v; a contestant retrying through a crush must not lock their account", err)
	}
}

func TestSignUp_ABurstThroughOneWorkerEndsWithEveryAccountSignedIn(t *testing.T) {
	reg, m := mustRegistration(t, func(o *Options) { o.HashWait = time.Millisecond })
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	busy := 0
	for i := range 30 {
		wg.Go(func() {
			in := zhang
			in.Email = "c" + string(rune('a'+i)) + "@example.org"
			for {
				sess, _, err := reg.SignUp(ctx, in)
				if ErrorCode(err) == EUnavailable {
					mu.Lock()
					busy++
					mu.Unlock()
					time.Sleep(time.Millisecond) // a client waits, then retries
					continue
				}
				if err != nil || sess.Token == "" {
					t.Errorf("%s: %v", in.Email, err)
				}
				return
			}
		})
	}
	wg.Wait()
	if len(m.users) != 30 {
		t.Errorf("%d accounts, want 30", len(m.users))
	}
	if bad := m.withoutSession(); len(bad) > 0 {
		t.Errorf("accounts without a session: %v", bad)
	}
	t.Logf("%d sign-ups were told to retry", busy)
}
