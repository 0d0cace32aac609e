select
    {{ platform_event_columns('asked_at') }},
    payload ->> 'question_id' as question_id,
    payload ->> 'text' as question_text
{{ from_platform_events('question.asked') }}
