#include "ostree-ima/file_problem.hpp"

namespace ostree_ima {

std::string_view problem_name(FileProblem problem)
{
    switch (problem) {
    case FileProblem::Unsigned:
        return "unsigned";
    case FileProblem::Malformed:
        return "malformed";
    case FileProblem::WrongHash:
        return "wrong_hash";
    case FileProblem::UnsupportedHash:
        return "unsupported_hash";
    case FileProblem::UnknownKey:
        return "unknown_key";
    case FileProblem::BadSignature:
        return "bad_signature";
    case FileProblem::Corrupted:
        return "corrupted";
    case FileProblem::EvmMissing:
        return "evm_missing";
    case FileProblem::BadEvm:
        return "bad_evm";
    case FileProblem::VerityNotEnabled:
        return "verity_not_enabled";
    case FileProblem::Unchecked:
        return "unchecked";
    }
    return "unknown";
}

} // namespace ostree_ima
