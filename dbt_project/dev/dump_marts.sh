#!/usr/bin/env bash
# Dump every mart, sorted, to stdout: diff the output of an incremental build with
# that of a --full-refresh build of the same raw data (they must be identical).
set -euo pipefail
PSQL="${PSQL:-psql}"
for rel in fct_event_sessions fct_participants fct_connections fct_traffic_sources \
           fct_devices fct_attendance_minutes dim_people fct_data_quality; do
    echo "== marts.${rel}"
    "$PSQL" -X -A -t -v ON_ERROR_STOP=1 -c "select t::text from marts.${rel} as t order by 1"
done
