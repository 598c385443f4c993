# bash completion for ostree-ima(1): commands, each command's options, and
# their values (hash algorithms, files, directories, refs of the repository).
# Installed as share/bash-completion/completions/ostree-ima.
#
# Each command's options are one line of _ostree_ima_options below; a CTest
# test (scripts/check-cli-docs.py) checks them against the binary's --help.

_ostree_ima_options()
{
    case "$1" in
        '') echo "--help -h --version --verbose -v --repo" ;;
        sign) echo "--help -h --repo --key -k --cert --keyid --pin-file --engine --provider --sessions --hash --hashalgo -a --overwrite --verity --evm --evm-key --evm-cert --evm-ignore-selinux --jobs -j --json --quiet -q --include --exclude --executables-only --skip-usr-etc --reuse --reuse-reads-all --signature-cache --verbose -v --allow-large-xattrs" ;;
        ima-sign) echo "--help -h --repo --overwrite --verity --jobs -j --quiet -q --cert --keyid --pin-file --engine --provider --sessions --reuse --reuse-reads-all --signature-cache --verbose -v --allow-large-xattrs" ;;
        verify) echo "--help -h --repo --cert --pin-file --require-all --hash --hashalgo -a --verity --evm --json --quiet -q --jobs -j --include --exclude --executables-only --deployment --verbose -v" ;;
        strip) echo "--help -h --repo --jobs -j --quiet -q --include --exclude --executables-only --verbose -v --json" ;;
        digests) echo "--help -h --repo --hash --hashalgo -a --overwrite --verity --cert --reuse --pin-file --output -o --jobs -j --quiet -q --include --exclude --executables-only --verbose -v --json" ;;
        sign-digests) echo "--help -h --key -k --cert --keyid --pin-file --engine --provider --sessions --yes -y --audit-log --output -o --jobs -j --quiet -q --signature-cache --resume --verbose -v --json" ;;
        apply) echo "--help -h --repo --cert --pin-file --signatures --jobs -j --json --quiet -q --reuse --verbose -v --allow-large-xattrs" ;;
        keys) echo "--help -h --login --pin-file --export-cert --output -o --format --force --json --quiet -q --verbose -v" ;;
        policy) echo "--help -h --cert --evm-cert --pin-file --verity --evm --fsuuid --obj-type --hooks --output -o --force --quiet -q --verbose -v --json" ;;
        keylime-policy) echo "--help -h --repo --hash --hashalgo -a --trust-signatures --cert --exclude-regex --no-default-excludes --release --output -o --sign-key --sign-cert --pin-file --engine --provider --jobs -j --quiet -q --include --exclude --executables-only --verbose -v" ;;
    esac
}

# The hash algorithms the linked OpenSSL has, as `ostree-ima --version` lists
# them (the binary the line names, else the one on PATH); the kernel's common
# ones when it cannot be asked.
_ostree_ima_hashes()
{
    local bin="${COMP_WORDS[0]}" list
    command -v "$bin" >/dev/null 2>&1 || bin=ostree-ima
    list=$("$bin" --version 2>/dev/null | sed -n 's/^  - //p')
    echo ${list:-sha1 sha224 sha256 sha384 sha512}
}

# The refs of the repository the command line names (--repo, before or after
# the command, else OSTREE_REPO); nothing when there is none. `ostree refs`
# only lists files under refs/, so this stays cheap.
_ostree_ima_refs()
{
    local repo="${OSTREE_REPO:-}" i word
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        word="${COMP_WORDS[i]}"
        case "$word" in
            --repo=*) repo="${word#--repo=}" ;;
            --repo)
                # bash splits "--repo=R" into "--repo" "=" "R" (COMP_WORDBREAKS).
                repo="${COMP_WORDS[i + 1]:-}"
                [ "$repo" = "=" ] && repo="${COMP_WORDS[i + 2]:-}"
                ;;
        esac
    done
    repo="${repo/#\~/$HOME}"
    [ -n "$repo" ] && [ -d "$repo" ] && command -v ostree >/dev/null 2>&1 || return 0
    ostree refs --repo="$repo" 2>/dev/null
}

_ostree_ima()
{
    local cur prev command="" i
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD - 1]}"
    local commands="sign ima-sign verify strip digests sign-digests apply keys policy keylime-policy"

    # The command: the first word that is not an option or --repo's value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --repo) [ "${COMP_WORDS[i + 1]:-}" = "=" ] && ((i++)); ((i++)) ;;
            =) ((i++)) ;;
            -*) ;;
            *) command="${COMP_WORDS[i]}"; break ;;
        esac
    done

    # An option's value, given as "--opt=value" or "--opt value".
    local option="$prev"
    if [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
        option="${COMP_WORDS[COMP_CWORD - 2]}"
    elif [ "$cur" = "=" ]; then
        option="$prev"
        cur=""
    elif [[ "$cur" == --*=* ]]; then
        option="${cur%%=*}"
        cur="${cur#*=}"
    fi
    case "$option" in
        --hash | --hashalgo | -a)
            COMPREPLY=($(compgen -W "$(_ostree_ima_hashes)" -- "$cur"))
            return ;;
        --repo)
            COMPREPLY=($(compgen -d -- "$cur"))
            return ;;
        --cert | --evm-cert | --sign-cert)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --key | -k | --evm-key | --sign-key | --pin-file | --signatures | --output | -o | --audit-log | --signature-cache)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --reuse)
            COMPREPLY=($(compgen -W "$(_ostree_ima_refs)" -- "$cur"))
            return ;;
        --format)
            COMPREPLY=($(compgen -W "der pem" -- "$cur"))
            return ;;
        --hooks)
            COMPREPLY=($(compgen -W "exec read" -- "$cur"))
            return ;;
        --deployment)
            COMPREPLY=($(compgen -d -- "$cur"))
            return ;;
        --jobs | -j | --sessions | --keyid | --engine | --provider | --include | --exclude | \
            --export-cert | --fsuuid | --obj-type | --exclude-regex | --release)
            return ;;
    esac
    if [ "$prev" = "=" ] || [ "${COMP_WORDS[COMP_CWORD]}" = "=" ] ||
        [[ "${COMP_WORDS[COMP_CWORD]}" == --*=* ]]; then
        return
    fi

    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_ostree_ima_options "$command")" -- "$cur"))
        return
    fi
    # ima-sign's arguments: SRC_REV TARGET_REF ALGORITHM KEY.
    local arguments=0
    for ((i = i + 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            =) ((i++)) ;;
            --repo | --jobs | -j | --cert | --keyid | --pin-file | --engine | --provider | \
                --sessions | --reuse | --signature-cache | --export-cert | --format | --output | -o | \
                --evm-key | --evm-cert | --deployment | --fsuuid | --obj-type | --hooks)
                [ "${COMP_WORDS[i + 1]:-}" != "=" ] && ((i++)) ;;
            -*) ;;
            *) ((arguments++)) ;;
        esac
    done
    case "$command" in
        '') COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        ima-sign)
            case "$arguments" in
                0 | 1) COMPREPLY=($(compgen -W "$(_ostree_ima_refs)" -- "$cur")) ;;
                2) COMPREPLY=($(compgen -W "sha1 sha224 sha256 sha384 sha512" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -f -- "$cur")) ;;
            esac
            ;;
        sign | verify | strip | digests | apply | keylime-policy)
            COMPREPLY=($(compgen -W "$(_ostree_ima_refs)" -- "$cur")) ;;
        sign-digests) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

complete -F _ostree_ima ostree-ima
