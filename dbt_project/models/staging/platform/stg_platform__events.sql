{# The envelope of every accepted event (no payload): what bookkeeping needs to
    know which sessions a file touched and when a session's newest event was. -#}
select
    event_id,
    event_type,
    event_session_id,
    organization_id,
    webinar_id,
    participant_id,
    occurred_at,
    file_id,
    line_number,
    loaded_at
from {{ source('platform', 'platform_events') }}
