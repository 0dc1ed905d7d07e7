#!/usr/bin/env bash
# The whole flow against a running fileshare, with curl: sign up two users, upload to the presigned
# URL, complete, list, share, download as the other user, revoke, delete.
#   examples/curl/walkthrough.sh [http://127.0.0.1:8080]
# Needs curl and python3 (to read JSON). Run by ./scripts/test, so it stays true.
set -euo pipefail
API="${1:-http://127.0.0.1:8080}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
say() { printf '\n== %s\n' "$*"; }
PASSWORD='correct-Horse-battery-9'
ALICE="alice-$RANDOM$RANDOM"; BOB="bob-$RANDOM$RANDOM"

say "sign up $ALICE and $BOB, and log in"
for user in "$ALICE" "$BOB"; do
  curl -sf -X POST "$API/auth/signup" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$PASSWORD\"}" > "$WORK/$user.json"
done
BOB_ID=$(json '["user_id"]' < "$WORK/$BOB.json")
login() { curl -sf -X POST "$API/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | json '["access_token"]'; }
ALICE_TOKEN=$(login "$ALICE"); BOB_TOKEN=$(login "$BOB")
echo "bob's user id: $BOB_ID"

say "alice asks to upload notes.txt"
printf 'Meeting notes: ship it.\n' > "$WORK/notes.txt"
SIZE=$(stat -c %s "$WORK/notes.txt")
curl -sf -X POST "$API/files/upload-url" -H "authorization: Bearer $ALICE_TOKEN" -H 'content-type: application/json' \
  -d "{\"name\":\"notes.txt\",\"size\":$SIZE,\"content_type\":\"text/plain\"}" > "$WORK/ticket.json"
FILE_ID=$(json '["file_id"]' < "$WORK/ticket.json")
echo "file id: $FILE_ID"

say "alice's client PUTs the bytes straight to storage, with the headers the URL was signed for"
python3 - "$WORK/ticket.json" > "$WORK/put.args" <<'PY'
import json, sys
upload = json.load(open(sys.argv[1]))["upload"]
for name, value in upload["headers"].items():
    print("-H"); print(f"{name}: {value}")
print(upload["url"])
PY
mapfile -t PUT < "$WORK/put.args"
curl -sf -o /dev/null -w 'storage answered %{http_code}\n' -T "$WORK/notes.txt" "${PUT[@]}"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -T "$WORK/notes.txt" "${PUT[@]}")
echo "the same upload again: HTTP $STATUS (a file's bytes are written once)"; [[ "$STATUS" == 412 ]]

say "alice completes the upload"
curl -sf -X POST "$API/files/$FILE_ID/complete" -H "authorization: Bearer $ALICE_TOKEN" | json '["status"]'

say "alice lists her files"
curl -sf "$API/files?scope=owned" -H "authorization: Bearer $ALICE_TOKEN" | json '["files"][0]["name"]'

say "alice shares it with bob"
curl -sf -X POST "$API/files/$FILE_ID/share" -H "authorization: Bearer $ALICE_TOKEN" \
  -H 'content-type: application/json' -d "{\"user_id\":\"$BOB_ID\"}" | json '["permission"]'

say "bob gets a download link and downloads"
URL=$(curl -sf "$API/files/$FILE_ID/download-url" -H "authorization: Bearer $BOB_TOKEN" | json '["url"]')
curl -sf "$URL" -o "$WORK/downloaded.txt"
cmp "$WORK/notes.txt" "$WORK/downloaded.txt" && echo "bob's copy is identical"

say "alice revokes the share; bob now gets 404, and so does the link he still holds"
curl -sf -X DELETE "$API/files/$FILE_ID/share/$BOB_ID" -H "authorization: Bearer $ALICE_TOKEN"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$API/files/$FILE_ID" -H "authorization: Bearer $BOB_TOKEN")
echo "bob: HTTP $STATUS"; [[ "$STATUS" == 404 ]]
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
echo "bob's old link: HTTP $STATUS"; [[ "$STATUS" == 404 ]]

say "alice deletes the file"
curl -sf -X DELETE "$API/files/$FILE_ID" -H "authorization: Bearer $ALICE_TOKEN"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$API/files/$FILE_ID" -H "authorization: Bearer $ALICE_TOKEN")
echo "alice: HTTP $STATUS"; [[ "$STATUS" == 404 ]]
echo; echo "walkthrough complete"
