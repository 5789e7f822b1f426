#!/bin/sh
# GET /admin/durable/instances over curl: every sort order both ways, paged
# three at a time by continuation token, gives the order the instances'
# own fields give (ties on name and status in creation order), with no
# repeat and no gap; the filters combined; the entries are GET instances'
# entries; every bad parameter and token is a 400 that says what is wrong.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/approval.so\"]"
start_host "$root" --ephemeral
ok $? "host starts"
W="$BASE/runtime/webhooks/durabletask"
U="$BASE/admin/durable/instances"
HDR="$T_DIR/headers"

# Ids started out of id order, so that created order is not id order;
# two names and two statuses, so name and status have ties.
for n in 07 02 09 04 00 05 08 01 06 03; do
	http -X POST "$W/orchestrators/hello_sequence/s-$n" >/dev/null
done
for n in 12 10 11; do
	http -X POST -H 'Content-Type: application/json' -d '{"timeout_seconds": 600}' \
		"$W/orchestrators/approval_workflow/s-$n" >/dev/null
done
for n in 00 01 02 03 04 05 06 07 08 09; do wait_for "s-$n" '.runtimeStatus == "Completed"'; done
for n in 10 11 12; do wait_for "s-$n" '.runtimeStatus == "Running"'; done

# all_pages <query>: the ids of every page of top=3, one line ('FAIL' if a
# page did not answer 200); the number of pages goes to $T_DIR/pages.
all_pages() {
	_tok=""
	_ids=""
	PAGES=0
	while :; do
		_code=$(curl -s -D "$HDR" -o "$BODY_FILE" -w '%{http_code}' --max-time 20 \
			-H "x-ms-continuation-token: $_tok" "$U?top=3&$1")
		[ "$_code" = 200 ] || {
			echo FAIL
			return
		}
		PAGES=$((PAGES + 1))
		_ids="$_ids $(jq -r '[.[].instanceId] | join(" ")' "$BODY_FILE")"
		_tok=$(sed -n 's/^x-ms-continuation-token: *//Ip' "$HDR" | tr -d '\r')
		if [ -z "$_tok" ] || [ $PAGES -ge 50 ]; then break; fi
	done
	echo "$PAGES" >"$T_DIR/pages"
	echo "$_ids" | tr -s ' ' | sed 's/^ //; s/ $//'
}

# The standard listing, one page, with each id's rank in creation order
# (the API's times have whole seconds only: they tie).
http "$W/instances?instanceIdPrefix=s-&top=1000" >/dev/null
jq '[.[] | .instanceId as $id | . + {rank: ("s-07 s-02 s-09 s-04 s-00 s-05 s-08 s-01 s-06 s-03 s-12 s-10 s-11" | split(" ") | index($id))}]' \
	"$BODY_FILE" >"$T_DIR/all.json"
# expect <jq sort key> <desc 0|1>: the ids ordered by it, ties in creation order
expect() {
	jq -r --argjson d "$2" "sort_by($1, .rank) | if \$d == 1 then reverse else . end | [.[].instanceId] | join(\" \")" "$T_DIR/all.json"
}
# one_page <query>: the ids of a single page of 1000
one_page() { http "$U?top=1000&$1" >/dev/null && jq -r '[.[].instanceId] | join(" ")' "$BODY_FILE"; }
# monotone <query> <field> <desc 0|1>: "true" if one page is ordered by the field
monotone() {
	http "$U?top=1000&$1" >/dev/null
	jq --arg f "$2" --argjson d "$3" '[.[][$f]] as $v | ($v | if $d == 1 then reverse else . end) == ($v | sort)' "$BODY_FILE"
}
for spec in "id:.instanceId" "name:.name" "status:(.runtimeStatus | {Running: 0, Completed: 1}[.])"; do
	sort=${spec%%:*}
	key=${spec#*:}
	for order in asc desc; do
		d=0
		[ $order = desc ] && d=1
		is "$(all_pages "sort=$sort&order=$order")" "$(expect "$key" $d)" "sort=$sort&order=$order: 13 instances in 5 pages of 3, in order (ties in creation order), each once"
		is "$(cat "$T_DIR/pages")" 5 "… in 5 pages"
	done
done
# Created and updated times tie at the API's precision: the pages must be
# the single page cut in five, and that page ordered by the time.
for spec in "created:createdTime" "updated:lastUpdatedTime"; do
	sort=${spec%%:*}
	field=${spec#*:}
	for order in asc desc; do
		d=0
		[ $order = desc ] && d=1
		whole=$(one_page "sort=$sort&order=$order")
		is "$(all_pages "sort=$sort&order=$order")" "$whole" "sort=$sort&order=$order: pages of 3 give the single page's order, each once"
		is "$(echo "$whole" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "$(jq -r '[.[].instanceId] | sort | join(" ")' "$T_DIR/all.json")" "… which holds every instance"
		is "$(monotone "sort=$sort&order=$order" "$field" $d)" true "… ordered by $field"
	done
done
is "$(one_page "sort=created")" "s-07 s-02 s-09 s-04 s-00 s-05 s-08 s-01 s-06 s-03 s-12 s-10 s-11" "created order is the order of the starts, not id order"

# Equal statuses and names come in creation order, which is not id order.
is "$(all_pages "sort=name&runtimeStatus=Running")" "s-12 s-10 s-11" "ties on the name go in creation order"

# Filters together: statuses, id prefix, created range, a name prefix in another case.
is "$(all_pages "sort=created&order=desc&runtimeStatus=Completed,Failed&instanceIdPrefix=s-0&createdTimeFrom=2000-01-01T00:00:00Z&name=HELLO_")" \
	"s-03 s-06 s-01 s-08 s-05 s-00 s-04 s-09 s-02 s-07" "statuses, prefix, created from and a case-insensitive name prefix, combined"
is "$(all_pages "sort=id&createdTimeTo=2000-01-01T00:00:00Z")" "" "created up to a day in 2000: none"
is "$(all_pages "sort=updated&name=approval&runtimeStatus=Completed")" "" "name and status that no instance has together: no rows"
is "$(all_pages "name=sequence")" "" "the name filter is a prefix, not a substring"
is "$(all_pages "runtimeStatus=Running&runtimeStatus=Completed&instanceIdPrefix=s-1")" "s-10 s-11 s-12" "runtimeStatus repeated, as GET instances takes it"

# The entries are those of GET instances.
http "$U?sort=id&instanceIdPrefix=s-0&top=1000" >/dev/null
is "$(jq -c 'sort_by(.instanceId)' "$BODY_FILE")" "$(jq -c '[.[] | select(.instanceId | startswith("s-0")) | del(.rank)] | sort_by(.instanceId)' "$T_DIR/all.json")" "entries are GET instances' entries, field for field"
http "$W/instances?showInput=false&instanceIdPrefix=s-1" >/dev/null
std=$(jq -c . "$BODY_FILE")
http "$U?showInput=false&instanceIdPrefix=s-1" >/dev/null
is "$(jq -c . "$BODY_FILE")" "$std" "showInput=false as GET instances does it"

# Bad input: a 400 with a message, never a silent first page.
bad() { # bad <query> <regex of the message> <description>
	_code=$(curl -s -o "$BODY_FILE" -w '%{http_code}' --max-time 20 "$U?$1")
	is "$_code" 400 "$3: 400"
	like "$(jq -r .Message "$BODY_FILE")" "$2" "… saying so"
}
bad "sort=size" "'sort' must be one of" "an unknown sort"
bad "order=up" "'order' must be asc or desc" "an unknown order"
bad "top=0" "'top' must be a whole number from 1 to 1000" "top=0"
bad "top=1001" "from 1 to 1000" "top=1001"
bad "top=3x" "from 1 to 1000" "top=3x"
bad "runtimeStatus=Running,Done" "not a runtime status" "an unknown status"
bad "runtimeStatus=Running,,Failed" "not a runtime status" "an empty status in the list"
bad "createdTimeFrom=yesterday" "ISO 8601" "a date that is not one"
bad "createdTimeTo=2026-13-40T00:00:00Z" "ISO 8601" "a date out of range"
bad "continuationToken=garbage" "not issued by this listing" "a token this host never issued"
curl -s -D "$HDR" -o /dev/null "$U?sort=name&top=2"
tok=$(sed -n 's/^x-ms-continuation-token: *//Ip' "$HDR" | tr -d '\r')
bad "sort=created&continuationToken=$tok" "another sort or order" "a token of another sort"
bad "sort=name&order=desc&continuationToken=$tok" "another sort or order" "a token of another order"
bad "sort=name&continuationToken=${tok}A" "not issued" "a token with a byte added"
curl -s -D "$HDR" -o /dev/null "$W/instances?top=2"
std=$(sed -n 's/^x-ms-continuation-token: *//Ip' "$HDR" | tr -d '\r')
bad "continuationToken=$std" "not issued by this listing" "a token of GET instances"
is "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$U")" 404 "DELETE: 404 (read-only; purges go through the standard API)"
stop_host
done_testing
