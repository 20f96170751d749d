#!/bin/bash
# run.sh - serve Jouda locally with the demo data (called by `make run` after
# the build): creates var/jouda.db with the demo on first use, prints how to
# sign in, then runs the server in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=var/jouda.db
LISTEN=${JOUDA_LISTEN:-127.0.0.1:8080}
mkdir -p var

# The key file sealing sensitive text: init creates $DB.key beside it
# (JOUDA_KEY_FILE, when set, names another one).
KEY=${JOUDA_KEY_FILE:-$DB.key}
if [ ! -f "$DB" ]; then
    echo "Creating $DB with the demo data (log: var/setup.log)..."
    KEY_WAS_THERE=0
    [ -e "$KEY" ] && KEY_WAS_THERE=1
    if ! { JOUDA_ADMIN_PASSWORD=${JOUDA_ADMIN_PASSWORD:-Jouda-admin-2026} \
        ./jouda init --db "$DB" --admin-email admin@jouda.ma &&
        ./jouda demo --db "$DB"; } </dev/null >var/setup.log 2>&1; then
        cat var/setup.log >&2
        rm -f "$DB" "$DB-wal" "$DB-shm"
        # the key made for the database just removed goes with it
        [ "$KEY_WAS_THERE" = 1 ] || rm -f "$KEY"
        echo "Could not create $DB (see above)." >&2
        exit 1
    fi
fi

# A transfer kit of the demo (référentiels, templates, sheets, documents),
# signed by the demo instance's key, for another instance to import.
KIT=var/jouda-kit.zip
KIT_LINE="  A transfer kit ready to import: $KIT (also from /kits)"
if ! ./jouda kit export --db "$DB" --out "$KIT" </dev/null >>var/setup.log 2>&1; then
    KIT_LINE="  (no transfer kit: 'jouda kit export' failed, see var/setup.log)"
fi

cat <<MSG

  Jouda is starting on http://$LISTEN

  Sign in with one of these accounts:
    admin@jouda.ma            national administrator   password: ${JOUDA_ADMIN_PASSWORD:-Jouda-admin-2026}
                              (the password given when $DB was created)
  Demo accounts, all with the password Jouda-demo-2026:
    admin@amal.ma             administrator of the association Amal
    conseil@amal.ma           quality advisor of the association Amal
    directrice.casa@amal.ma   director of the EPS Casablanca - Aïn Chock
    referent.casa@amal.ma     quality referent of the EPS Casablanca - Aïn Chock
    mere.fatima               house mother (staff) at Maison 1, Casablanca
    directeur.tanger@amal.ma  director of the EPS Tanger
    admin@nour.ma             administrator of the association Nour (a second tenant)
    directrice@nour.ma        director of the Foyer Nour Fès
    observateur@entraide.ma   national observer (read-only)
    inspecteur@entraide.ma    inspector of the EPS Casablanca (read-only, expires)

  Sensitive text is sealed with the key in $KEY: back it up apart from
  the database (docs/OPERATIONS.md, "The key file").

$KIT_LINE

  Stop with Ctrl-C. To start again from scratch: rm $DB* && make run

MSG

exec ./jouda serve --db "$DB" --listen "$LISTEN"
