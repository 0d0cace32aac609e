with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'payment.completed'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as paid_at,
        (payload ->> 'amount')::numeric as amount,
        payload ->> 'currency' as currency,
        file_id

    from source

)

select * from renamed
