#!/usr/bin/env escript
%%! -noshell
%% The Erlang/OTP ssl peer of essl's conformance suite: one VM serves many cases. It reads commands,
%% one Erlang term per line, from stdin and answers with lines that start with the command's tag:
%%
%%   {server, Tag, Conns, Opts}.        listens on 127.0.0.1, prints "Tag port P", then accepts Conns
%%                                      connections, echoing what each sends until it closes
%%   {client, Tag, Port, Opts, Lines}.  one connection per line: sends it, expects it back
%%   {suites, Tag}.                     the suites this OTP has, per version: "Tag suites V Id,Id,..."
%%                                      (IANA values in hex; ssl:cipher_suites(all, V) and
%%                                      ssl:cipher_suites(anonymous, V)), then "Tag done"
%%   quit.
%%
%% Per connection: "Tag conn N ok protocol=P suite=S [resumed=B data=ok|bad]" or "Tag conn N error R",
%% and "Tag done" at the end. Opts are ssl options, except {ciphers, [IanaValue, ...]} and
%% {psk_key, "HEX", Identity} (a user_lookup_fun with that key) and {srp_user, User, Password}, and
%% {peer_renegotiates, true}: after each handshake this side calls ssl:renegotiate/1 (an error ends the
%% connection with "conn N error {renegotiate, R}").

main(_) ->
    {ok, _} = application:ensure_all_started(ssl),
    io:format("ready~n"),
    loop().

loop() ->
    case io:get_line("") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Text ->
            case parse(Text) of
                {ok, quit} -> halt(0);
                {ok, Cmd} -> spawn(fun() -> run(Cmd) end);
                {error, Why} -> io:format("error ~s~n", [one_line(Why)])
            end,
            loop()
    end.

parse(Text) ->
    case erl_scan:string(Text) of
        {ok, Tokens, _} ->
            case erl_parse:parse_term(Tokens) of
                {ok, Term} -> {ok, Term};
                {error, E} -> {error, E}
            end;
        {error, E, _} -> {error, E}
    end.

run({server, Tag, Conns, Opts0}) ->
    {Reneg, Opts} = take_reneg(Opts0),
    case ssl:listen(0, [binary, {active, false}, {ip, {127, 0, 0, 1}}, {reuseaddr, true} | opts(Opts)]) of
        {ok, L} ->
            {ok, {_, Port}} = ssl:sockname(L),
            say(Tag, "port ~w", [Port]),
            serve(Tag, L, 0, Conns, Reneg),
            ssl:close(L);
        {error, R} ->
            say(Tag, "listen_error ~s", [one_line(R)])
    end,
    say(Tag, "done", []);
run({suites, Tag}) ->
    [say(Tag, "suites ~s ~s", [V, suite_ids(V)]) || V <- [tlsv1, 'tlsv1.1', 'tlsv1.2']],
    say(Tag, "done", []);
run({client, Tag, Port, Opts0, Lines}) ->
    {Reneg, Opts} = take_reneg(Opts0),
    put(renegotiate, Reneg),
    client(Tag, Port, opts(Opts), Lines, 0),
    say(Tag, "done", []).

take_reneg(Opts) ->
    {proplists:get_value(peer_renegotiates, Opts, false), proplists:delete(peer_renegotiates, Opts)}.

renegotiate(_, false) -> ok;
renegotiate(S, true) ->
    case ssl:renegotiate(S) of
        ok -> ok;
        {error, R} -> {error, {renegotiate, R}}
    end.

serve(_, _, N, N, _) -> ok;
serve(Tag, L, N, Conns, Reneg) ->
    case ssl:transport_accept(L, 15000) of
        {ok, T} ->
            case ssl:handshake(T, 10000) of
                {ok, S} ->
                    case renegotiate(S, Reneg) of
                        ok -> say(Tag, "conn ~w ok ~s", [N, info(S)]), echo(S);
                        {error, R} -> say(Tag, "conn ~w error ~s", [N, one_line(R)]), ssl:close(S)
                    end,
                    serve(Tag, L, N + 1, Conns, Reneg);
                {error, R} ->
                    say(Tag, "conn ~w error ~s", [N, one_line(R)]),
                    serve(Tag, L, N + 1, Conns, Reneg)
            end;
        {error, R} ->
            say(Tag, "conn ~w error ~s", [N, one_line(R)])
    end.

echo(S) ->
    case ssl:recv(S, 0, 10000) of
        {ok, Data} -> ssl:send(S, Data), echo(S);
        {error, _} -> ssl:close(S)
    end.

client(_, _, _, [], _) -> ok;
client(Tag, Port, Opts, [Line | Rest], N) ->
    %% The first connection keeps its session ({reuse_sessions, save}), and the next one offers it
    %% explicitly ({reuse_session, {Id, Data}}).
    Save = case Rest of [] -> []; _ -> [{reuse_sessions, save}] end,
    case ssl:connect({127, 0, 0, 1}, Port, [binary, {active, false} | Save ++ Opts], 10000) of
        {ok, S} ->
            case renegotiate(S, get(renegotiate)) of
                ok -> ok;
                {error, RR} -> say(Tag, "conn ~w error ~s", [N, one_line(RR)]), ssl:close(S), exit(normal)
            end,
            Bin = list_to_binary(Line),
            ok = ssl:send(S, Bin),
            Data = case recv_all(S, byte_size(Bin), <<>>) of Bin -> "ok"; _ -> "bad" end,
            %% Up to TLS 1.2 a resumed session is the one whose id the server echoed (the
            %% session_resumption item describes TLS 1.3 only).
            {Id, Next} = case ssl:connection_information(S, [session_id, session_data]) of
                             {ok, [{session_id, I}, {session_data, D}]} -> {I, [{reuse_session, {I, D}} | Opts]};
                             _ -> {undefined, Opts}
                         end,
            Offered = proplists:get_value(reuse_session, Opts),
            %% (An empty id is no session: a server that keeps none sends one every time.)
            Resumed = is_tuple(Offered) andalso Id =/= <<>> andalso element(1, Offered) =:= Id,
            say(Tag, "conn ~w ok ~s resumed=~w data=~s", [N, info(S), Resumed, Data]),
            ssl:close(S),
            client(Tag, Port, Next, Rest, N + 1);
        {error, R} ->
            say(Tag, "conn ~w error ~s", [N, one_line(R)])
    end.

recv_all(_, 0, Acc) -> Acc;
recv_all(S, Left, Acc) ->
    case ssl:recv(S, 0, 10000) of
        {ok, D} when byte_size(D) >= Left -> <<Acc/binary, D/binary>>;
        {ok, D} -> recv_all(S, Left - byte_size(D), <<Acc/binary, D/binary>>);
        {error, _} -> Acc
    end.

info(S) ->
    {ok, I} = ssl:connection_information(S, [protocol, selected_cipher_suite]),
    Suite = ssl:suite_to_str(proplists:get_value(selected_cipher_suite, I)),
    io_lib:format("protocol=~s suite=~s", [proplists:get_value(protocol, I), Suite]).

opts(Opts) -> [opt(O) || O <- Opts].

opt({ciphers, Ids}) -> {ciphers, [ssl_cipher_format:suite_bin_to_map(<<Id:16>>) || Id <- Ids]};
%% {psk_key, Hex, Identity}: a user_lookup_fun answering the key for Identity ("" = any identity or hint).
%% {srp_user, User, Password}: a user_lookup_fun knowing User in srp_2048 (DerivedKey as the spec
%% documents it).
opt({srp_user, User, Password}) ->
    Salt = <<"essl-salt">>,
    Key = crypto:hash(sha, [Salt, crypto:hash(sha, [User, <<$:>>, Password])]),
    UserBin = list_to_binary(User),
    {user_lookup_fun, {fun(srp, U, _) when U =:= User; U =:= UserBin -> {ok, {srp_2048, Salt, Key}};
                          (_, _, _) -> error
                       end, undefined}};
opt({psk_key, Hex, Identity}) ->
    Key = binary:decode_hex(list_to_binary(Hex)),
    IdBin = list_to_binary(Identity),
    {user_lookup_fun, {fun(psk, Id, _) when Identity =:= ""; Id =:= Identity; Id =:= IdBin -> {ok, Key};
                          (_, _, _) -> error
                       end, undefined}};
opt(O) -> O.

suite_ids(V) ->
    Suites = ssl:cipher_suites(all, V) ++ ssl:cipher_suites(anonymous, V),
    Ids = lists:usort([Id || S <- Suites, <<Id:16>> <- [ssl_cipher_format:suite_map_to_bin(S)]]),
    lists:join(",", [integer_to_list(Id, 16) || Id <- Ids]).

say(Tag, Fmt, Args) -> io:format("~w ~s~n", [Tag, io_lib:format(Fmt, Args)]).

one_line(R) -> re:replace(io_lib:format("~p", [R]), "\\s+", " ", [global, {return, list}]).
