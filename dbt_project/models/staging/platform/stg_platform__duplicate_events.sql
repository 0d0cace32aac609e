select
    file_id,
    line_number,
    source_uri,
    event_id,
    event_type,
    occurred_at,
    organization_id,
    event_session_id,
    loaded_at
from {{ source('platform', 'duplicate_events') }}
