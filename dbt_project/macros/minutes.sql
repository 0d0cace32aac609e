{#- Minutes of a session (fct_attendance_minutes): every minute that overlaps
    [started_at, measured_until), from date_trunc('minute', started_at) to the minute
    holding the instant just before measured_until (a session ending exactly on a
    minute does not get that minute).  timestamptz counts microseconds, so "just
    before" is one microsecond earlier. -#}

{#- the last minute of a session measured until `measured_until_expr` -#}
{% macro last_session_minute(measured_until_expr) -%}
    date_trunc('minute', {{ measured_until_expr }} - interval '1 microsecond')
{%- endmacro %}

{#- the minute an instant is counted in: its own, or the session's first / last
    minute for an instant before started_at / after the end -#}
{% macro minute_within(at_expr, first_minute_expr, last_minute_expr) -%}
    greatest({{ first_minute_expr }}, least({{ last_minute_expr }}, date_trunc('minute', {{ at_expr }})))
{%- endmacro %}
