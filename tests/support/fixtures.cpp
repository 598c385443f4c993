#include "fixtures.hpp"

#include "text_files.hpp"

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cstdlib>
#include <gio/gio.h>
#include <ostree.h>
#include <sstream>

namespace test_support {

std::string binary()
{
    return OSTREE_IMA_TEST_BINARY;
}
std::string source_dir()
{
    return OSTREE_IMA_SOURCE_DIR;
}

TempDir::TempDir()
{
    std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/var/tmp") +
                       "/ostree-ima-test-XXXXXX";
    BOOST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
}

TempDir::~TempDir()
{
    if (std::getenv("OSTREE_IMA_KEEP_TEST_DIRS") == nullptr)
        (void)sh("rm -rf " + quote(path_));
}

namespace {
// openssl genpkey + req -x509 with `-addext subjectKeyIdentifier=<skid>`
// ("hash", "none" or hex bytes).
KeyPair make_key_pair(const std::string &dir, const std::string &name, const std::string &spec,
                      const std::string &skid)
{
    KeyPair k;
    k.name = name;
    k.key_pem = dir + "/" + name + ".key.pem";
    k.cert_pem = dir + "/" + name + ".cert.pem";
    k.cert_der = dir + "/" + name + ".cert.der";
    std::string gen;
    if (spec.rfind("rsa:", 0) == 0)
        gen = "-algorithm RSA -pkeyopt rsa_keygen_bits:" + spec.substr(4);
    else if (spec.rfind("ec:", 0) == 0)
        gen = "-algorithm EC -pkeyopt ec_paramgen_curve:" + spec.substr(3);
    else
        gen = "-algorithm " + spec;
    sh_ok("openssl genpkey " + gen + " -out " + quote(k.key_pem) + " 2>&1");
    sh_ok("openssl req -new -x509 -key " + quote(k.key_pem) + " -subj '/CN=ostree-ima test " +
          name + "' -addext subjectKeyIdentifier=" + skid + " -days 30 -out " + quote(k.cert_pem) +
          " 2>&1 && openssl x509 -in " + quote(k.cert_pem) + " -outform DER -out " +
          quote(k.cert_der));
    return k;
}
} // namespace

KeyPair make_key(const std::string &dir, const std::string &name, const std::string &spec)
{
    return make_key_pair(dir, name, spec, "hash");
}

KeyPair make_key_with_skid(const std::string &dir, const std::string &name, const std::string &spec,
                           const std::string &skid_hex)
{
    KeyPair k = make_key_pair(dir, name, spec, skid_hex.empty() ? "none" : skid_hex);
    const std::string shown = certificate_skid_hex(k.cert_pem);
    BOOST_REQUIRE_MESSAGE(shown == skid_hex, "openssl made " << k.cert_pem << " with SKID '"
                                                             << shown << "', not '" << skid_hex
                                                             << "'");
    return k;
}

std::string certificate_skid_hex(const std::string &cert)
{
    // "X509v3 Subject Key Identifier: \n    00:11:...:42\n", or nothing.
    const std::string out =
        sh_ok("openssl x509 -in " + quote(cert) + " -inform " +
              (cert.ends_with(".der") ? "DER" : "PEM") + " -noout -ext subjectKeyIdentifier");
    std::string hex;
    const auto colon = out.find(':');
    if (colon == std::string::npos)
        return hex;
    for (const char c : out.substr(colon + 1))
        if (std::isxdigit(static_cast<unsigned char>(c)) != 0)
            hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return hex;
}

void make_source_tree(const std::string &dir, const KeyPair &presign_key)
{
    const std::string d = quote(dir);
    sh_ok("set -e; mkdir -p " + d + "/usr/bin " + d + "/usr/lib/deep/deeper " + d + "/etc " + d +
          "/empty-dir; cd " + d +
          "; printf 'hello\\n' > etc/hello.conf"
          "; cp etc/hello.conf usr/lib/deep/hello-copy; cp etc/hello.conf usr/lib/hello-again"
          "; : > usr/lib/empty"
          "; head -c 6000000 /dev/urandom > usr/lib/large.bin"
          "; printf '#!/bin/sh\\necho hi\\n' > usr/bin/tool; chmod 0755 usr/bin/tool"
          "; printf 'setuid-ish\\n' > usr/bin/special; chmod 4750 usr/bin/special"
          "; ln -s ../lib/large.bin usr/bin/link-to-large; ln -s tool usr/bin/tool-link"
          "; printf 'xattr\\n' > usr/lib/deep/deeper/with-xattr"
          "; setfattr -n user.ostree-ima-test -v keep-me usr/lib/deep/deeper/with-xattr"
          "; printf 'pre-signed\\n' > usr/bin/presigned"
          "; evmctl ima_sign --hashalgo sha256 --key " +
          quote(presign_key.key_pem) + " usr/bin/presigned >/dev/null");
}

std::string make_repo(const std::string &dir, const std::string &mode, const std::string &tree,
                      const std::string &ref)
{
    const std::string repo = dir + "/repo-" + mode;
    sh_ok("ostree init --repo=" + quote(repo) + " --mode=" + mode);
    sh_ok("ostree commit --repo=" + quote(repo) + " --branch=" + quote(ref) +
          " --tree=dir=" + quote(tree) +
          " --subject='release 1.0' --body='the body' --add-metadata-string=version=1.0 "
          "--timestamp='2026-01-02 03:04:05' >/dev/null");
    return repo;
}

std::string rev_parse(const std::string &repo, const std::string &rev)
{
    std::string out = sh_ok("ostree rev-parse --repo=" + quote(repo) + " " + quote(rev));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

bool ref_exists(const std::string &repo, const std::string &ref)
{
    return sh("ostree rev-parse --repo=" + quote(repo) + " " + quote(ref) + " >/dev/null 2>&1")
               .exit_code == 0;
}

namespace {
struct RepoReader {
    OstreeRepo *repo = nullptr;
    explicit RepoReader(const std::string &path)
    {
        g_autoptr(GFile) file = g_file_new_for_path(path.c_str());
        repo = ostree_repo_new(file);
        BOOST_REQUIRE(ostree_repo_open(repo, nullptr, nullptr));
    }
    RepoReader(const RepoReader &) = delete;
    RepoReader &operator=(const RepoReader &) = delete;
    ~RepoReader() { g_object_unref(repo); }

    GVariant *commit(const std::string &rev) const
    {
        g_autofree char *csum = nullptr;
        BOOST_REQUIRE(ostree_repo_resolve_rev(repo, rev.c_str(), FALSE, &csum, nullptr));
        GVariant *v = nullptr;
        BOOST_REQUIRE(ostree_repo_load_variant(repo, OSTREE_OBJECT_TYPE_COMMIT, csum, &v, nullptr));
        return v;
    }
};

std::string hex_of(GVariant *bytes)
{
    g_autofree char *s = ostree_checksum_from_bytes_v(bytes);
    return s;
}

void collect(OstreeRepo *repo, const std::string &tree, const std::string &prefix,
             std::map<std::string, FileFacts> &out)
{
    g_autoptr(GVariant) dirtree = nullptr;
    BOOST_REQUIRE(ostree_repo_load_variant(repo, OSTREE_OBJECT_TYPE_DIR_TREE, tree.c_str(),
                                           &dirtree, nullptr));
    g_autoptr(GVariant) files = g_variant_get_child_value(dirtree, 0);
    for (gsize i = 0; i < g_variant_n_children(files); ++i) {
        const char *name = nullptr;
        g_autoptr(GVariant) csum = nullptr;
        g_variant_get_child(files, i, "(&s@ay)", &name, &csum);
        g_autoptr(GFileInfo) info = nullptr;
        g_autoptr(GVariant) xattrs = nullptr;
        BOOST_REQUIRE(ostree_repo_load_file(repo, hex_of(csum).c_str(), nullptr, &info, &xattrs,
                                            nullptr, nullptr));
        FileFacts f;
        f.regular = g_file_info_get_file_type(info) == G_FILE_TYPE_REGULAR;
        f.uid = g_file_info_get_attribute_uint32(info, "unix::uid");
        f.gid = g_file_info_get_attribute_uint32(info, "unix::gid");
        f.mode = g_file_info_get_attribute_uint32(info, "unix::mode");
        f.size = static_cast<std::uint64_t>(g_file_info_get_size(info));
        if (!f.regular)
            f.symlink_target = g_file_info_get_symlink_target(info);
        std::ostringstream others;
        for (gsize j = 0; xattrs && j < g_variant_n_children(xattrs); ++j) {
            g_autoptr(GVariant) entry = g_variant_get_child_value(xattrs, j);
            g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);
            g_autoptr(GVariant) value = g_variant_get_child_value(entry, 1);
            const std::string key_name = g_variant_get_bytestring(key);
            gsize len = 0;
            const auto *data =
                static_cast<const std::uint8_t *>(g_variant_get_fixed_array(value, &len, 1));
            if (key_name == "security.ima") {
                f.ima = std::vector<std::uint8_t>(data, data + len);
            } else {
                others << key_name << "=";
                for (gsize b = 0; b < len; ++b)
                    others << static_cast<char>(data[b]);
                others << ";";
            }
        }
        f.other_xattrs = others.str();
        out[prefix + "/" + name] = f;
    }
    g_autoptr(GVariant) dirs = g_variant_get_child_value(dirtree, 1);
    for (gsize i = 0; i < g_variant_n_children(dirs); ++i) {
        const char *name = nullptr;
        g_autoptr(GVariant) sub = nullptr;
        g_autoptr(GVariant) meta = nullptr;
        g_variant_get_child(dirs, i, "(&s@ay@ay)", &name, &sub, &meta);
        collect(repo, hex_of(sub), prefix + "/" + name, out);
    }
}
} // namespace

std::map<std::string, FileFacts> read_commit_files(const std::string &repo, const std::string &rev)
{
    RepoReader r(repo);
    g_autoptr(GVariant) commit = r.commit(rev);
    g_autoptr(GVariant) root = g_variant_get_child_value(commit, 6);
    std::map<std::string, FileFacts> out;
    collect(r.repo, hex_of(root), "", out);
    return out;
}

namespace {
std::string print_commit(const std::string &repo, const std::string &rev, bool with_binding)
{
    RepoReader r(repo);
    g_autoptr(GVariant) commit = r.commit(rev);
    std::string out;
    for (gsize i = 0; i < g_variant_n_children(commit); ++i) {
        if (i == 6)
            continue;
        g_autoptr(GVariant) child = g_variant_get_child_value(commit, i);
        if (i == 0 && !with_binding) {
            g_autoptr(GVariantDict) dict = g_variant_dict_new(child);
            g_variant_dict_remove(dict, "ostree.ref-binding");
            g_variant_dict_remove(dict, "ostree-ima.signing");
            g_variant_unref(child);
            child = g_variant_ref_sink(g_variant_dict_end(dict));
        }
        g_autofree char *printed = g_variant_print(child, TRUE);
        out += printed;
        out += "\n";
    }
    return out;
}
} // namespace

std::string commit_without_root(const std::string &repo, const std::string &rev)
{
    return print_commit(repo, rev, true);
}

std::string commit_without_root_and_binding(const std::string &repo, const std::string &rev)
{
    return print_commit(repo, rev, false);
}

std::optional<std::string> commit_signing_source(const std::string &repo, const std::string &rev)
{
    RepoReader r(repo);
    g_autoptr(GVariant) commit = r.commit(rev);
    g_autoptr(GVariant) metadata = g_variant_get_child_value(commit, 0);
    g_autoptr(GVariant) record = g_variant_lookup_value(metadata, "ostree-ima.signing", nullptr);
    const char *source = nullptr;
    if (record == nullptr || !g_variant_lookup(record, "source", "&s", &source))
        return std::nullopt;
    return std::string(source);
}

std::optional<std::vector<std::string>> commit_ref_binding(const std::string &repo,
                                                           const std::string &rev)
{
    RepoReader r(repo);
    g_autoptr(GVariant) commit = r.commit(rev);
    g_autoptr(GVariant) metadata = g_variant_get_child_value(commit, 0);
    g_autofree const char **refs = nullptr;
    if (!g_variant_lookup(metadata, "ostree.ref-binding", "^a&s", &refs))
        return std::nullopt;
    std::vector<std::string> out;
    for (const char **p = refs; *p != nullptr; ++p)
        out.emplace_back(*p);
    return out;
}

std::string commit_root_tree(const std::string &repo, const std::string &rev)
{
    RepoReader r(repo);
    g_autoptr(GVariant) commit = r.commit(rev);
    g_autoptr(GVariant) root = g_variant_get_child_value(commit, 6);
    return hex_of(root);
}

std::vector<std::string> evmctl_verify_checkout(const std::string &repo, const std::string &rev,
                                                const std::string &cert_der,
                                                const std::string &workdir)
{
    const std::string co = workdir + "/checkout-" + rev_parse(repo, rev).substr(0, 12);
    sh_ok("rm -rf " + quote(co) + " && ostree checkout --repo=" + quote(repo) + " " + quote(rev) +
          " " + quote(co));
    const std::string out =
        sh_ok("cd " + quote(co) +
              " && find . -type f | sort | while IFS= read -r f; do "
              "if ! o=$(evmctl ima_verify --key " +
              quote(cert_der) +
              " \"$f\" 2>&1); then echo \"FAIL $f: $(echo $o | tr '\\n' ' ')\"; fi; done; "
              "echo COUNT $(find . -type f | wc -l)");
    std::vector<std::string> failures;
    std::istringstream lines(out);
    std::string line;
    bool counted = false;
    while (std::getline(lines, line)) {
        if (line.rfind("FAIL ", 0) == 0)
            failures.push_back(line.substr(5));
        if (line.rfind("COUNT ", 0) == 0)
            counted = std::stoi(line.substr(6)) > 0;
    }
    BOOST_REQUIRE_MESSAGE(counted, "the checkout of " << rev << " has no regular files");
    (void)sh("rm -rf " + quote(co));
    return failures;
}

std::vector<std::string> verity_verify_checkout(const std::string &repo, const std::string &rev,
                                                const std::string &cert_der,
                                                const std::string &workdir)
{
    const std::string co = workdir + "/verity-checkout-" + rev_parse(repo, rev).substr(0, 12);
    const std::string pub = co + ".pub.pem", id = co + ".file-id", sig = co + ".sig";
    sh_ok("rm -rf " + quote(co) + " && ostree checkout -U --repo=" + quote(repo) + " " +
          quote(rev) + " " + quote(co) + " && openssl x509 -inform DER -in " + quote(cert_der) +
          " -pubkey -noout > " + quote(pub));
    std::vector<std::string> failures;
    std::size_t regular = 0;
    for (const auto &[path, facts] : read_commit_files(repo, rev)) {
        if (!facts.regular)
            continue;
        ++regular;
        const std::vector<std::uint8_t> none;
        const std::vector<std::uint8_t> &x = facts.ima ? *facts.ima : none;
        if (x.size() <= 9 || x[0] != 0x06 || x[1] != 0x03 || x[2] != 0x04 ||
            ((std::size_t{x[7]} << 8) | x[8]) != x.size() - 9) {
            failures.push_back(path + ": no sigv3 sha256 header");
            continue;
        }
        const std::string digest = trimmed(sh_ok("fsverity digest --compact " + quote(co + path)));
        const std::vector<std::uint8_t> verity = hex_bytes(digest);
        std::string file_id = {0x06, 0x04};
        file_id.append(verity.begin(), verity.end());
        write_text(id, file_id);
        write_text(sig, std::string(x.begin() + 9, x.end()));
        const Result r = sh("openssl dgst -sha256 -verify " + quote(pub) + " -signature " +
                            quote(sig) + " " + quote(id) + " 2>&1");
        if (r.exit_code != 0)
            failures.push_back(path + ": " + trimmed(r.out));
    }
    BOOST_REQUIRE_MESSAGE(regular > 0, rev << " has no regular files");
    (void)sh("rm -rf " + quote(co) + " " + quote(pub) + " " + quote(id) + " " + quote(sig));
    return failures;
}

void require_fsck(const std::string &repo)
{
    const Result r = sh("ostree fsck --repo=" + quote(repo) + " 2>&1");
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "ostree fsck failed on " << repo << ":\n" << r.out);
}

} // namespace test_support
