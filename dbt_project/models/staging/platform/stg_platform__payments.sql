select
    {{ platform_event_columns('paid_at') }},
    (payload ->> 'amount')::numeric as amount,
    payload ->> 'currency' as currency
{{ from_platform_events('payment.completed') }}
