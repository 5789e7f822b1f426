#!/bin/sh
# `cfunc keys` and `cfunc settings` end to end: the key store under
# .cfunc/secrets.json, local.settings.json add/list/delete, encrypt/decrypt
# round trips, the host starting on an encrypted file, wrong/missing keys,
# file modes, and no key value ever printed unless asked for (--show, -a).
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
APPS="[\"$ABI/testapp.so\"]"

# Never touch the real ~/.config/cfunc.
CFUNC_SECRETS_DIR="$T_DIR/keydir"
export CFUNC_SECRETS_DIR

OUT="$T_DIR/transcript" # everything printed without --show / -a
SHOWN="$T_DIR/shown"    # what --show / -a printed
: >"$OUT"
: >"$SHOWN"

# c <root> <args...>: runs cfunc in <root>; output in $T_DIR/out (and the
# transcript), exit code in RC. Stdin is inherited: redirect it from a file,
# not a pipe (a pipeline would run c in a subshell and lose RC).
# KEYDIR, when not empty, replaces CFUNC_SECRETS_DIR.
KEYDIR=
c() {
	_c_root=$1
	shift
	(cd "$_c_root" && CFUNC_SECRETS_DIR=${KEYDIR:-$CFUNC_SECRETS_DIR} exec "$CFUNC" "$@") >"$T_DIR/out" 2>&1
	RC=$?
	cat "$T_DIR/out" >>"$OUT"
}
# cs <root> <args...>: same, but the output may hold values.
cs() {
	_c_root=$1
	shift
	(cd "$_c_root" && exec "$CFUNC" "$@") >"$T_DIR/out" 2>&1
	RC=$?
	cat "$T_DIR/out" >>"$SHOWN"
}
out() { cat "$T_DIR/out"; }
values() { sed -n 's/^      Value: //p' "$T_DIR/out"; }
mode() { stat -c %a "$1"; }

# ============================ keys ============================
root="$T_DIR/app"
make_root "$root" "$APPS"

c "$root" keys list
is "$RC" "0" "keys list in a fresh app"
is "$(mode "$root/.cfunc/secrets.json")" "600" "secrets.json created 0600"
like "$(out)" "^Master Key:" "list starts with the master key"
is "$(grep -c '^   -> Name: ' "$T_DIR/out")" "3" "master, default host key, durabletask_extension"
like "$(out)" "Name: durabletask_extension" "the durable system key exists"
is "$(values | sort -u)" "*****" "values hidden without --show"

cs "$root" keys list --show
values >"$T_DIR/v1"
is "$(wc -l <"$T_DIR/v1" | tr -d ' ')" "3" "--show prints three values"
is "$(grep -cE '^[A-Za-z0-9_-]{54}==$' "$T_DIR/v1")" "3" "56-character URL-safe base64 with == padding"
is "$(sort -u "$T_DIR/v1" | wc -l | tr -d ' ')" "3" "all different"
n=0
while read -r v; do grep -qF "\"$v\"" "$root/.cfunc/secrets.json" && n=$((n + 1)); done <"$T_DIR/v1"
is "$n" "3" "the values are the ones in secrets.json"

c "$root" keys new extra
is "$RC" "0" "keys new"
is "$(out)" "Host key 'extra' created." "new host key message, no value"
c "$root" keys new default
is "$(out)" "Host key 'default' regenerated." "regenerating an existing key"
cs "$root" keys list --show
values >"$T_DIR/v2"
is "$(wc -l <"$T_DIR/v2" | tr -d ' ')" "4" "four keys now"
is "$(sed -n 1p "$T_DIR/v2")" "$(sed -n 1p "$T_DIR/v1")" "master unchanged"
if grep -qxF "$(sed -n 2p "$T_DIR/v1")" "$T_DIR/v2"; then ok 1 "default has a new value"; else ok 0 "default has a new value"; fi
grep -qxF "$(sed -n 3p "$T_DIR/v1")" "$T_DIR/v2"
ok $? "durabletask_extension unchanged"

c "$root" keys new default --function hello
is "$(out)" "Key 'default' of function 'hello' created." "function key created"
c "$root" keys new mysys --system
is "$(out)" "System key 'mysys' created." "system key created"
cs "$root" keys new other --function hello --show
like "$(out)" "^      Value: [A-Za-z0-9_-]{54}==$" "new --show prints the value"
c "$root" keys list
like "$(out)" "Function Keys \\(hello\\):" "function keys listed"
is "$(grep -c '^   -> Name: ' "$T_DIR/out")" "7" "seven keys listed"

c "$root" keys delete extra
is "$RC$(out)" "0Host key 'extra' deleted." "keys delete"
c "$root" keys delete extra
is "$RC" "1" "deleting a missing key exits 1"
like "$(out)" "host key 'extra' not found" "and says so"
c "$root" keys delete _master
is "$RC" "1" "the master key cannot be deleted"
like "$(out)" "cannot be deleted" "master delete message"
c "$root" keys new _master
is "$RC$(out)" "0Master key regenerated." "master key regenerated"
c "$root" keys delete other --function hello
c "$root" keys delete default --function hello
c "$root" keys list
if grep -q "Function Keys" "$T_DIR/out"; then ok 1 "last function key deleted drops the function"; else ok 0 "last function key deleted drops the function"; fi

printf 'handpicked-key-value-0123456789abcdef\n' >"$T_DIR/in"
c "$root" keys set mine <"$T_DIR/in"
is "$RC$(out)" "0Host key 'mine' created." "keys set reads the value from stdin"
cs "$root" keys list --show
like "$(out)" "Value: handpicked-key-value-0123456789abcdef" "set value stored"
printf 'short\n' >"$T_DIR/in"
c "$root" keys set mine <"$T_DIR/in"
is "$RC" "1" "a short value is refused"
like "$(out)" "32 to 512" "with the rule"
c "$root" keys new 'bad name'
is "$RC" "1" "a bad key name is refused"
c "$root" keys frobnicate
is "$RC" "1" "unknown keys command exits 1"

is "$(mode "$root/.cfunc/secrets.json")" "600" "still 0600 after rewrites"
is "$(find "$root/.cfunc" -maxdepth 1 -name '.secrets*' | wc -l)" "0" "no temporary files left"
chmod 644 "$root/.cfunc/secrets.json"
c "$root" keys list
is "$(mode "$root/.cfunc/secrets.json")" "600" "a loosened secrets.json is made 0600 again"

printf '{ "masterKey": 5 }\n' >"$T_DIR/broken.json"
mkdir -p "$T_DIR/app2/.cfunc"
make_root "$T_DIR/app2" "[]"
cp "$T_DIR/broken.json" "$T_DIR/app2/.cfunc/secrets.json"
c "$T_DIR/app2" keys list
is "$RC" "1" "a malformed secrets.json is an error"
is "$(cat "$T_DIR/app2/.cfunc/secrets.json")" "$(cat "$T_DIR/broken.json")" "and is not overwritten"

mkdir -p "$T_DIR/noroot"
c "$T_DIR/noroot" keys list
is "$RC" "1" "keys outside an app exits 1"
like "$(out)" "Unable to find project root" "project root message"

# ========================== settings ==========================
sroot="$T_DIR/sapp"
make_root "$sroot" "$APPS"
S="$sroot/local.settings.json"

c "$sroot" settings add PLAIN_A hello-plain-a
is "$RC" "0" "settings add creates local.settings.json"
like "$(tr -d '\n ' <"$S")" '^\{"IsEncrypted":false,"Values":\{"PLAIN_A":"hello-plain-a"\}\}$' "new file: IsEncrypted false, the value"
printf 'top-secret-b\n' >"$T_DIR/in"
c "$sroot" settings add SECRET_B <"$T_DIR/in"
is "$RC" "0" "settings add reads the value from stdin"
c "$sroot" settings add --connectionString Db 'Server=db;Password=pw-conn-c'
is "$RC" "0" "settings add --connectionString"
printf '\n' >"$T_DIR/in"
c "$sroot" settings add EMPTY_E <"$T_DIR/in"
c "$sroot" settings list
is "$RC" "0" "settings list"
cat >"$T_DIR/want" <<'EOF'
App Settings:
   -> Name: PLAIN_A
      Value: *****

   -> Name: SECRET_B
      Value: *****

   -> Name: EMPTY_E
      Value: *****

Connection Strings:
   -> Name: Db
      Value: *****
      ProviderName: System.Data.SqlClient

EOF
is "$(out)" "$(cat "$T_DIR/want")" "list output as func prints it"
cs "$sroot" settings list -a
like "$(out)" "Value: top-secret-b" "-a shows values"
like "$(out)" "Value: Server=db;Password=pw-conn-c" "-a shows connection strings"
cs "$sroot" settings list --showValue
like "$(out)" "Value: hello-plain-a" "--showValue too"
like "$(sed -n 2p "$S")" '^  "IsEncrypted": false,$' "indented with two spaces"
cp "$S" "$T_DIR/plain.json"

c "$sroot" settings encrypt
is "$RC" "0" "settings encrypt"
is "$(mode "$CFUNC_SECRETS_DIR/settings.key")" "600" "settings.key created 0600"
is "$(mode "$CFUNC_SECRETS_DIR")" "700" "its folder 0700"
like "$(tr -d '\n ' <"$S")" '^\{"IsEncrypted":true,' "IsEncrypted true"
if grep -qE 'hello-plain-a|top-secret-b|pw-conn-c' "$S"; then ok 1 "no plaintext left in the file"; else ok 0 "no plaintext left in the file"; fi
is "$(grep -c '"cfunc:v1:' "$S")" "3" "three sealed values (the empty one stays empty)"
like "$(cat "$S")" '"EMPTY_E": ""' "empty value stays empty"
like "$(cat "$S")" '"ProviderName": "System.Data.SqlClient"' "ProviderName stays plain"
cp "$S" "$T_DIR/enc1.json"
c "$sroot" settings encrypt
is "$RC" "0" "encrypt twice"
cmp -s "$S" "$T_DIR/enc1.json"
ok $? "second encrypt is a no-op"
cs "$sroot" settings list -a
like "$(out)" "Value: top-secret-b" "list -a decrypts"

c "$sroot" settings add LATER_D later-value-d
is "$RC" "0" "add to an encrypted file"
if grep -q 'later-value-d' "$S"; then ok 1 "added value is sealed"; else ok 0 "added value is sealed"; fi

# --- the host reads the encrypted file
start_host "$sroot"
ok $? "host starts on an encrypted local.settings.json"
is "$(http "$BASE/api/setting?name=SECRET_B")" "200" "setting served"
is "$(body)" "top-secret-b" "decrypted value"
http "$BASE/api/setting?name=LATER_D" >/dev/null
is "$(body)" "later-value-d" "value added while encrypted"
http "$BASE/api/setting?name=ConnectionStrings:Db" >/dev/null
is "$(body)" "Server=db;Password=pw-conn-c" "connection string decrypted"
stop_host

# --- wrong key, missing key, loose key file, func's format
cp "$CFUNC_SECRETS_DIR/settings.key" "$T_DIR/good.key"
mkdir -p "$T_DIR/wrongdir"
chmod 700 "$T_DIR/wrongdir"
printf 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n' >"$T_DIR/wrongdir/settings.key"
chmod 600 "$T_DIR/wrongdir/settings.key"
(cd "$sroot" && CFUNC_SECRETS_DIR="$T_DIR/wrongdir" exec "$CFUNC" start --port 0) >"$T_DIR/fail1.log" 2>&1
is "$?" "1" "wrong key: host exits 1"
like "$(cat "$T_DIR/fail1.log")" "Failed to decrypt settings. Encrypted settings only be edited through 'cfunc settings add'." "wrong key: func's message"
like "$(cat "$T_DIR/fail1.log")" "does not decrypt with this settings key" "wrong key: the reason"
cp "$S" "$T_DIR/enc2.json"
KEYDIR="$T_DIR/wrongdir"
c "$sroot" settings decrypt
KEYDIR=
is "$RC" "1" "wrong key: decrypt exits 1"
like "$(out)" "Failed to decrypt settings" "wrong key: decrypt says why"
cmp -s "$S" "$T_DIR/enc2.json"
ok $? "wrong key: file unchanged"
if grep -q '"IsEncrypted": true' "$S"; then ok 0 "wrong key: file left encrypted"; else ok 1 "wrong key: file left encrypted"; fi
KEYDIR="$T_DIR/wrongdir"
c "$sroot" settings add X y
KEYDIR=
is "$RC" "1" "wrong key: add refuses to mix keys"

(cd "$sroot" && CFUNC_SECRETS_DIR="$T_DIR/nokey" exec "$CFUNC" start --port 0) >"$T_DIR/fail2.log" 2>&1
is "$?" "1" "missing key: host exits 1"
like "$(cat "$T_DIR/fail2.log")" "Failed to decrypt settings.*settings key '$T_DIR/nokey/settings.key' does not exist" "missing key: names the file"
if [ -e "$T_DIR/nokey" ]; then ok 1 "the host never creates a key"; else ok 0 "the host never creates a key"; fi

chmod 644 "$CFUNC_SECRETS_DIR/settings.key"
(cd "$sroot" && exec "$CFUNC" start --port 0) >"$T_DIR/fail3.log" 2>&1
is "$?" "1" "key readable by others: host exits 1"
like "$(cat "$T_DIR/fail3.log")" "accessible by other users \\(mode 644\\)" "loose key message"
chmod 600 "$CFUNC_SECRETS_DIR/settings.key"

froot="$T_DIR/funcfmt"
make_root "$froot" "$APPS"
printf '{ "IsEncrypted": true, "Values": { "FROM_FUNC": "CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } }\n' >"$froot/local.settings.json"
(cd "$froot" && exec "$CFUNC" start --port 0) >"$T_DIR/fail4.log" 2>&1
is "$?" "1" "func-encrypted value: host exits 1"
like "$(cat "$T_DIR/fail4.log")" "The setting 'FROM_FUNC' .* is not encrypted in cfunc's format" "func-encrypted value recognised"

# --- decrypt: the round trip gives the file back byte for byte
c "$sroot" settings delete LATER_D
c "$sroot" settings decrypt
is "$RC" "0" "settings decrypt"
cmp -s "$S" "$T_DIR/plain.json"
ok $? "encrypt + decrypt round trip restores the file"
c "$sroot" settings decrypt
is "$RC" "0" "decrypt of a plain file is a no-op"

# --- delete / remove
c "$sroot" settings delete PLAIN_A
is "$RC" "0" "settings delete"
c "$sroot" settings remove SECRET_B
is "$RC" "0" "settings remove (alias)"
c "$sroot" settings delete --connectionString Db
c "$sroot" settings list
is "$(grep -c 'Name:' "$T_DIR/out")" "1" "only EMPTY_E left"

# --- order of members and unknown members kept, comments tolerated
oroot="$T_DIR/order"
make_root "$oroot" "$APPS"
cat >"$oroot/local.settings.json" <<'EOF'
{
  // a comment
  "Values": { "Z_LAST": "z1", "A_FIRST": "a1", "M_MID": "m1" },
  "Host": { "LocalHttpPort": 7071 },
  "Custom": { "keep": true }
}
EOF
c "$oroot" settings encrypt
c "$oroot" settings decrypt
is "$(tr -d '\n ' <"$oroot/local.settings.json")" '{"IsEncrypted":false,"Values":{"Z_LAST":"z1","A_FIRST":"a1","M_MID":"m1"},"Host":{"LocalHttpPort":7071},"Custom":{"keep":true}}' "order and unknown members kept"

# --- the key stays out of the app folder
KEYDIR="$oroot/keys"
c "$oroot" settings encrypt
KEYDIR=
is "$RC" "1" "a key folder inside the app is refused"
if [ -e "$oroot/keys" ]; then ok 1 "nothing created there"; else ok 0 "nothing created there"; fi

# --- no key value leaked anywhere it was not asked for
sed -n 's/.*"value": "\(.*\)",*$/\1/p' "$root/.cfunc/secrets.json" >"$T_DIR/allkeys"
values_shown=$(sed -n 's/^      Value: //p' "$SHOWN" | grep -vx '\*\*\*\*\*')
{
	printf '%s\n' "$values_shown"
	tr -d '\n' <"$T_DIR/good.key"
} >>"$T_DIR/allkeys"
printf '\n' >>"$T_DIR/allkeys"
sort -u "$T_DIR/allkeys" | grep -v '^$' >"$T_DIR/allkeys.u"
nkeys=$(grep -c . "$T_DIR/allkeys.u")
[ "$nkeys" -ge 12 ]
ok $? "collected $nkeys secret values to look for"
leaks=0
for f in "$OUT" "$T_DIR"/host.*.log "$T_DIR"/fail*.log; do
	[ -f "$f" ] || continue
	if grep -qFf "$T_DIR/allkeys.u" "$f"; then
		leaks=$((leaks + 1))
		echo "# leaked into $f"
	fi
done
is "$leaks" "0" "no key or secret value in any output or host log"
like "$(cat "$SHOWN")" "handpicked-key-value-0123456789abcdef" "(sanity: the shown output has them)"

done_testing
