{#- The event_session_id a rejected line still names, or NULL.  A reject may be any
    text (invalid JSON, a truncated line, a line nested too deep for a JSON parser),
    so it is never parsed as a whole: a jsonb cast of a hostile line can raise a hard
    error ("stack depth limit exceeded") that would stop the build.  Instead:
      1. the first  "event_session_id" : "<JSON string>"  in the text (a regular
         expression: any whitespace around the colon, escaped characters allowed);
      2. that string decoded as JSON when it has escapes (a short string cannot nest,
         so this cast only ever fails softly: pg_input_is_valid guards it);
      3. kept when 1 to 128 characters long (the contract's limit for ids: a longer
         one can never be an accepted event's session).
    A number, a null, a missing key or a string broken off by the end of the line
    names no session. -#}
{% macro session_id_named_in(text_expr) -%}
    (
        select
            case
                when decoded.session_id is not null
                    and length(decoded.session_id) between 1 and 128
                    then decoded.session_id
            end
        from (
            select
                case
                    when captured.json_text is null then null
                    when strpos(captured.json_text, '\') = 0 then captured.json_text
                    -- at most 6 characters per decoded one (\uXXXX): longer is over 128
                    when length(captured.json_text) <= 768
                        and pg_input_is_valid('"' || captured.json_text || '"', 'jsonb')
                        then ('"' || captured.json_text || '"')::jsonb #>> '{}'
                end as session_id
            from (
                select substring(
                    {{ text_expr }}
                    from '"event_session_id"\s*:\s*"((?:[^"\\]|\\.)*)"'
                ) as json_text
            ) as captured
        ) as decoded
    )
{%- endmacro %}
