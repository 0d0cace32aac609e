{{ config(meta={'rebuild_scope': 'touched'}) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per active stretch of a connection.  A connection starts active at its
    join; every attention.changed of that connection_id at or after the join sets
    its state until the next one (same instant: the later event in order wins).
    Stretches are cut to the connection's clipped bounds, half-open. -#}

with {{ rebuilt_imports({
    'connections': 'int_connections', 'attention_changes': 'stg_platform__attention_changes'
}, scope='touched') }},

state_changes as (

    select
        event_session_id,
        connection_id,
        joined_at as changed_at,
        'active' as attention_state,
        0 as change_order,
        join_event_id as event_id
    from connections

    union all

    select
        attention_changes.event_session_id,
        attention_changes.connection_id,
        attention_changes.changed_at,
        attention_changes.attention_state,
        1 as change_order,
        attention_changes.event_id
    from attention_changes
    inner join connections
        on attention_changes.event_session_id = connections.event_session_id
            and attention_changes.connection_id = connections.connection_id
    where attention_changes.changed_at >= connections.joined_at

),

stretches as (

    select
        *,
        lead(changed_at) over (
            partition by event_session_id, connection_id
            order by changed_at, change_order, event_id
        ) as next_changed_at
    from state_changes

),

active_stretches as (

    select
        stretches.event_session_id,
        connections.participant_id,
        stretches.connection_id,
        greatest(stretches.changed_at, connections.clipped_joined_at) as active_started_at,
        least(
            coalesce(stretches.next_changed_at, connections.clipped_left_at),
            connections.clipped_left_at
        ) as active_ended_at
    from stretches
    inner join connections
        on stretches.event_session_id = connections.event_session_id
            and stretches.connection_id = connections.connection_id
    where stretches.attention_state = 'active'

),

final as (

    select
        event_session_id,
        participant_id,
        connection_id,
        active_started_at,
        active_ended_at
    from active_stretches
    where active_started_at < active_ended_at

)

select * from final
