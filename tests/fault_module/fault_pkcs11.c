/* fault_pkcs11: a PKCS#11 module that forwards to a real one and injects
 * faults into C_Sign, for the robustness tests (tests/key_routes/test_pkcs11_faults.cpp).
 *
 * Environment (read once, when the function list is first asked for):
 *   FAULT_PKCS11_REAL_MODULE  the real module (default SoftHSM2)
 *   FAULT_PKCS11_FAULT        CKR_DEVICE_REMOVED, CKR_SESSION_HANDLE_INVALID,
 *                             CKR_DEVICE_ERROR, CKR_FUNCTION_FAILED, sleep:MS,
 *                             or corrupt (the real signature with its last
 *                             byte changed, returned as CKR_OK: a token that
 *                             signs wrongly); unset: no fault (logging only)
 *   FAULT_PKCS11_AT=N         first faulty C_Sign call, counting from 1 (default 1)
 *   FAULT_PKCS11_COUNT=K      fault K calls from the Nth on (default: every
 *                             call from then on, as a broken token would)
 *   FAULT_PKCS11_LOG=PATH     appends "C_Login type=U rv=0x..." and
 *                             "C_Sign n=N rv=0x..." lines
 *   FAULT_PKCS11_LATENCY_MS=M every C_Sign takes M ms more (a network HSM's
 *                             round trip, a TPM's signing time), in the
 *                             session it runs on, as a real token's would
 *   FAULT_PKCS11_SIGNING_SESSIONS=N
 *                             the token has room for N sessions that sign
 *                             besides the caller's login session: C_GetTokenInfo
 *                             says ulMaxSessionCount N + 1 and C_OpenSession
 *                             fails with CKR_SESSION_COUNT beyond that
 *   FAULT_PKCS11_ONE_SESSION=say|silent
 *                             the token has room for one session (a TPM's
 *                             slot, a smart card): "say" sets
 *                             ulMaxSessionCount 1, "silent" leaves what the
 *                             real token says; C_OpenSession fails with
 *                             CKR_SESSION_COUNT beyond one
 *
 * Only calls with an output buffer count: a length query (NULL signature)
 * is forwarded untouched, so N means "the Nth signature".
 *
 * Faults behave as the real condition would, so that the caller sees a
 * consistent token afterwards:
 *   - error codes end the real sign operation first (a failed C_Sign
 *     terminates the operation, PKCS#11 2.40 section 5.2);
 *   - CKR_SESSION_HANDLE_INVALID really closes the session;
 *   - CKR_DEVICE_REMOVED is sticky: C_OpenSession, C_Login, C_SignInit and
 *     C_Sign all fail with it afterwards, whatever FAULT_PKCS11_COUNT says.
 * The real module is never unloaded: SoftHSM2 must not be dlclose()d after
 * C_Finalize in a process that keeps using OpenSSL. */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC, nanosleep */

#include <p11-kit/pkcs11.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define DEFAULT_REAL_MODULE "/usr/lib/softhsm/libsofthsm2.so"

enum fault_kind { FAULT_NONE, FAULT_RV, FAULT_SLEEP, FAULT_CORRUPT };

static struct {
    CK_FUNCTION_LIST *real;
    CK_FUNCTION_LIST wrapped;
    enum fault_kind kind;
    CK_RV rv;         /* FAULT_RV */
    long sleep_ms;    /* FAULT_SLEEP */
    unsigned long at; /* first faulty call */
    long count;       /* -1: unlimited */
    int log_fd;       /* -1: no log */
    unsigned long latency_ms;
    unsigned long max_sessions; /* 0: as the real module */
    int hide_max_sessions;      /* 1: C_GetTokenInfo says what the real module says */
    CK_RV init_error;           /* set when setup failed */
} state;

static atomic_ulong sign_calls;
static atomic_long faults_left;
static atomic_ulong open_sessions;
static atomic_bool device_removed;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void log_line(const char *format, unsigned long a, unsigned long b)
{
    char line[128];
    int n;
    if (state.log_fd < 0)
        return;
    n = snprintf(line, sizeof line, format, a, b);
    if (n <= 0 || (size_t)n >= sizeof line)
        return;
    /* One write() per line on an O_APPEND descriptor: lines from several
     * threads or processes never interleave. */
    if (write(state.log_fd, line, (size_t)n) < 0)
        return;
}

static void complain(const char *what, const char *detail)
{
    fprintf(stderr, "fault_pkcs11: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

static int parse_ulong(const char *name, unsigned long fallback, unsigned long *out)
{
    const char *text = getenv(name);
    char *end = NULL;
    unsigned long value;
    if (text == NULL || *text == '\0') {
        *out = fallback;
        return 0;
    }
    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] == '-') {
        complain("not a number", name);
        return -1;
    }
    *out = value;
    return 0;
}

static int parse_fault(void)
{
    static const struct {
        const char *name;
        CK_RV rv;
    } codes[] = {
        {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},
        {"CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID},
        {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
        {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
    };
    const char *text = getenv("FAULT_PKCS11_FAULT");
    size_t i;
    state.kind = FAULT_NONE;
    if (text == NULL || *text == '\0')
        return 0;
    for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
        if (strcmp(text, codes[i].name) == 0) {
            state.kind = FAULT_RV;
            state.rv = codes[i].rv;
            return 0;
        }
    }
    if (strcmp(text, "corrupt") == 0) {
        state.kind = FAULT_CORRUPT;
        return 0;
    }
    if (strncmp(text, "sleep:", 6) == 0) {
        char *end = NULL;
        errno = 0;
        state.sleep_ms = strtol(text + 6, &end, 10);
        if (errno == 0 && end != text + 6 && *end == '\0' && state.sleep_ms >= 0) {
            state.kind = FAULT_SLEEP;
            return 0;
        }
    }
    complain("unknown FAULT_PKCS11_FAULT", text);
    return -1;
}

static CK_RV fault_C_GetFunctionList(CK_FUNCTION_LIST **list);
static CK_RV fault_C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *application,
                                 CK_NOTIFY notify, CK_SESSION_HANDLE *session);
static CK_RV fault_C_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type, unsigned char *pin,
                           unsigned long pin_len);
static CK_RV fault_C_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
                              CK_OBJECT_HANDLE key);
static CK_RV fault_C_Sign(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
                          unsigned char *signature, unsigned long *signature_len);
static CK_RV fault_C_CloseSession(CK_SESSION_HANDLE session);
static CK_RV fault_C_CloseAllSessions(CK_SLOT_ID slot);
static CK_RV fault_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO *info);

static void setup(void)
{
    const char *path = getenv("FAULT_PKCS11_REAL_MODULE");
    const char *log_path = getenv("FAULT_PKCS11_LOG");
    CK_C_GetFunctionList get_list = NULL;
    void *handle;
    void *symbol;
    unsigned long count = 0;
    unsigned long signing_sessions = 0;

    state.log_fd = -1;
    state.init_error = CKR_GENERAL_ERROR;
    if (path == NULL || *path == '\0')
        path = DEFAULT_REAL_MODULE;
    if (parse_fault() != 0 || parse_ulong("FAULT_PKCS11_AT", 1, &state.at) != 0 ||
        parse_ulong("FAULT_PKCS11_COUNT", 0, &count) != 0 ||
        parse_ulong("FAULT_PKCS11_LATENCY_MS", 0, &state.latency_ms) != 0 ||
        parse_ulong("FAULT_PKCS11_SIGNING_SESSIONS", 0, &signing_sessions) != 0)
        return;
    state.max_sessions = signing_sessions > 0 ? signing_sessions + 1 : 0;
    {
        const char *one = getenv("FAULT_PKCS11_ONE_SESSION");
        if (one != NULL && strcmp(one, "say") == 0) {
            state.max_sessions = 1;
        } else if (one != NULL && strcmp(one, "silent") == 0) {
            state.max_sessions = 1;
            state.hide_max_sessions = 1;
        } else if (one != NULL) {
            complain("FAULT_PKCS11_ONE_SESSION is say or silent", NULL);
            return;
        }
    }
    if (state.at == 0) {
        complain("FAULT_PKCS11_AT counts from 1", NULL);
        return;
    }
    state.count = getenv("FAULT_PKCS11_COUNT") != NULL ? (long)count : -1;
    atomic_store(&faults_left, state.count);

    if (log_path != NULL && *log_path != '\0') {
        state.log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (state.log_fd < 0) {
            complain("cannot open FAULT_PKCS11_LOG", strerror(errno));
            return;
        }
    }

    /* Deliberately never dlclose()d: see the comment at the top. */
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        complain("cannot load the real module", dlerror());
        return;
    }
    symbol = dlsym(handle, "C_GetFunctionList");
    if (symbol == NULL) {
        complain("the real module has no C_GetFunctionList", path);
        return;
    }
    /* POSIX guarantees object and function pointers convert (dlsym). */
    memcpy(&get_list, &symbol, sizeof get_list);
    if (get_list(&state.real) != CKR_OK || state.real == NULL) {
        complain("C_GetFunctionList of the real module failed", path);
        return;
    }

    state.wrapped = *state.real;
    state.wrapped.C_GetFunctionList = fault_C_GetFunctionList;
    state.wrapped.C_OpenSession = fault_C_OpenSession;
    state.wrapped.C_Login = fault_C_Login;
    state.wrapped.C_SignInit = fault_C_SignInit;
    state.wrapped.C_Sign = fault_C_Sign;
    state.wrapped.C_CloseSession = fault_C_CloseSession;
    state.wrapped.C_CloseAllSessions = fault_C_CloseAllSessions;
    state.wrapped.C_GetTokenInfo = fault_C_GetTokenInfo;
    state.init_error = CKR_OK;
}

/* Whether this call (number n) is to be faulted; consumes one fault. */
static int fault_now(unsigned long n)
{
    long left;
    if (state.kind == FAULT_NONE || n < state.at)
        return 0;
    if (state.count < 0)
        return 1;
    left = atomic_load(&faults_left);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&faults_left, &left, left - 1))
            return 1;
    }
    return 0;
}

static CK_RV fault_C_GetFunctionList(CK_FUNCTION_LIST **list)
{
    if (list == NULL)
        return CKR_ARGUMENTS_BAD;
    pthread_once(&setup_once, setup);
    if (state.init_error != CKR_OK)
        return state.init_error;
    *list = &state.wrapped;
    return CKR_OK;
}

static CK_RV fault_C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *application,
                                 CK_NOTIFY notify, CK_SESSION_HANDLE *session)
{
    CK_RV rv;
    unsigned long open;
    if (atomic_load(&device_removed))
        return CKR_DEVICE_REMOVED;
    open = atomic_fetch_add(&open_sessions, 1) + 1;
    if (state.max_sessions != 0 && open > state.max_sessions) {
        atomic_fetch_sub(&open_sessions, 1);
        return CKR_SESSION_COUNT;
    }
    rv = state.real->C_OpenSession(slot, flags, application, notify, session);
    if (rv != CKR_OK)
        atomic_fetch_sub(&open_sessions, 1);
    return rv;
}

static CK_RV fault_C_CloseSession(CK_SESSION_HANDLE session)
{
    CK_RV rv = state.real->C_CloseSession(session);
    if (rv == CKR_OK)
        atomic_fetch_sub(&open_sessions, 1);
    return rv;
}

static CK_RV fault_C_CloseAllSessions(CK_SLOT_ID slot)
{
    CK_RV rv = state.real->C_CloseAllSessions(slot);
    if (rv == CKR_OK)
        atomic_store(&open_sessions, 0);
    return rv;
}

static CK_RV fault_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO *info)
{
    CK_RV rv = state.real->C_GetTokenInfo(slot, info);
    if (rv == CKR_OK && state.max_sessions != 0 && !state.hide_max_sessions)
        info->ulMaxSessionCount = state.max_sessions;
    return rv;
}

static CK_RV fault_C_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user_type, unsigned char *pin,
                           unsigned long pin_len)
{
    CK_RV rv = atomic_load(&device_removed) ? CKR_DEVICE_REMOVED
                                            : state.real->C_Login(session, user_type, pin, pin_len);
    log_line("C_Login type=%lu rv=0x%08lx\n", user_type, rv);
    return rv;
}

static CK_RV fault_C_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism,
                              CK_OBJECT_HANDLE key)
{
    if (atomic_load(&device_removed))
        return CKR_DEVICE_REMOVED;
    return state.real->C_SignInit(session, mechanism, key);
}

static void sleep_ms(long ms)
{
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* Ends the real sign operation on `session` as a failing token would. */
static void end_real_operation(CK_SESSION_HANDLE session, unsigned char *data,
                               unsigned long data_len)
{
    unsigned char scratch[4096];
    unsigned long scratch_len = sizeof scratch;
    (void)state.real->C_Sign(session, data, data_len, scratch, &scratch_len);
}

static CK_RV fault_C_Sign(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
                          unsigned char *signature, unsigned long *signature_len)
{
    unsigned long n;
    CK_RV rv;
    if (signature == NULL)
        return atomic_load(&device_removed)
                   ? CKR_DEVICE_REMOVED
                   : state.real->C_Sign(session, data, data_len, signature, signature_len);

    n = atomic_fetch_add(&sign_calls, 1) + 1;
    if (state.latency_ms != 0)
        sleep_ms((long)state.latency_ms);
    if (atomic_load(&device_removed)) {
        rv = CKR_DEVICE_REMOVED;
    } else if (!fault_now(n)) {
        rv = state.real->C_Sign(session, data, data_len, signature, signature_len);
    } else if (state.kind == FAULT_SLEEP) {
        sleep_ms(state.sleep_ms);
        rv = state.real->C_Sign(session, data, data_len, signature, signature_len);
    } else if (state.kind == FAULT_CORRUPT) {
        /* The low byte of RSA's s or ECDSA's s: still below the modulus or
         * the order, so well-formed, and wrong. */
        rv = state.real->C_Sign(session, data, data_len, signature, signature_len);
        if (rv == CKR_OK && *signature_len > 0)
            signature[*signature_len - 1] ^= 0x5a;
    } else {
        rv = state.rv;
        if (rv == CKR_SESSION_HANDLE_INVALID) {
            (void)fault_C_CloseSession(session);
        } else {
            end_real_operation(session, data, data_len);
            if (rv == CKR_DEVICE_REMOVED)
                atomic_store(&device_removed, 1);
        }
    }
    log_line("C_Sign n=%lu rv=0x%08lx\n", n, rv);
    return rv;
}

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list)
{
    return fault_C_GetFunctionList(list);
}
