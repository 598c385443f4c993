# check-deployment.sh: the init after tests/kernel/init-deployment's
# switch_root into the deployment (busybox sh from /run/check, a tmpfs the
# policy does not appraise or measure), the keys and the policy already
# loaded: reads every regular file of /usr, /etc and /var, and executes each
# executable one (`--version`, busybox `--help`), by the paths of the
# running system (/usr/bin/ls), which the kernel logs too. Then, when the
# policy measures (/run/check/measure), the kernel's measurement list. Lines
# on ttyS1 (fd 3):
#   FILE <path> read=<verdict> exec=<verdict>|- status=<exit status>|-
#        (verdict: OK, EACCES (IMA's answer) or ERR:<message>; a program
#        that ran gives its exit status: /usr/bin/false's is 1)
#   MEASURE <line of ascii_runtime_measurements>
#   AUDIT <audit line of an IMA denial>           DONE uptime=<s>
# shellcheck shell=sh
# shellcheck source=init-common.sh
. /run/check/init-common.sh
PATH=/run/check/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security
exec 3>/dev/ttyS1
err=/run/check/err
find /usr /etc /var -type f | sort | while read -r f; do
  cat "$f" >/dev/null 2>"$err"
  read=$(verdict $? "$err")
  exec=-
  status=-
  if [ -x "$f" ]; then
    case $f in
      */busybox) arg=--help ;;
      *) arg=--version ;;
    esac
    "$f" "$arg" >/dev/null 2>"$err"
    status=$?
    if grep -q "Permission denied" "$err"; then
      exec=EACCES
    elif [ "$status" -ge 126 ]; then
      exec=$(verdict "$status" "$err")
    else
      exec=OK
    fi
  fi
  say "FILE $f read=$read exec=$exec status=$status"
done
if [ -e /run/check/measure ]; then
  while IFS= read -r line; do
    say "MEASURE $line"
  done </sys/kernel/security/ima/ascii_runtime_measurements
fi
finish
