// sign_commit: signs an OSTree commit with a key file through libostree-ima,
// the way a build tool would. Prints the new commit's checksum.
//
//   sign_commit REPO SOURCE_REV TARGET_REF KEY [CERT]
//
// KEY is anything `ostree-ima sign --key` takes (a PEM or DER key file, a
// pkcs11: URI); CERT, when given, sets the key id the signatures carry.
#include <ostree-ima/commit_signer.hpp>
#include <ostree-ima/error.hpp>
#include <ostree-ima/hash_algo.hpp>
#include <ostree-ima/key_factory.hpp>
#include <ostree-ima/key_id_choice.hpp>
#include <ostree-ima/version.hpp>

#include <iostream>
#include <optional>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        std::cerr << "usage: sign_commit REPO SOURCE_REV TARGET_REF KEY [CERT]\n";
        return 2;
    }
    try {
        ostree_ima::KeyOptions key_options;
        key_options.key = argv[4];
        const std::unique_ptr<ostree_ima::KeyBackend> key =
            ostree_ima::open_key_backend(key_options);
        std::optional<std::string> cert;
        if (argc == 6)
            cert = argv[5];
        const ostree_ima::KeyIdChoice key_id = ostree_ima::choose_key_id(std::nullopt, cert, *key);

        ostree_ima::SignRequest request;
        request.repo_path = argv[1];
        request.source_rev = argv[2];
        request.target_ref = argv[3];
        request.algo = &ostree_ima::hash_algo_by_name("sha256");
        request.key_id = key_id.id;
        const ostree_ima::SignReport report = ostree_ima::sign_commit(request, *key);

        std::cerr << "sign_commit: libostree-ima " << ostree_ima::library_version() << ": "
                  << report.files_signed << " files signed with " << key->description()
                  << " (key id " << ostree_ima::key_id_hex(key_id.id) << ", " << key_id.source
                  << ")\n";
        std::cout << report.new_commit << '\n';
        return 0;
    } catch (const ostree_ima::Error &e) {
        std::cerr << "sign_commit: " << e.what() << '\n';
        return 1;
    }
}
