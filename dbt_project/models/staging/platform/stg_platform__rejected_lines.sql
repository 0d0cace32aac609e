select
    file_id,
    line_number,
    source_uri,
    reason as reject_reason,
    raw_line,
    {{ session_id_named_in('raw_line') }} as named_event_session_id,
    rejected_at
from {{ source('platform', 'rejected_lines') }}
