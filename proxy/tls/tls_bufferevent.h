// TLS on libevent bufferevents (bufferevent_openssl): the listener's accepted connections and
// the connections to an https:// upstream. The rest of the data path sees ordinary bufferevents;
// only code that reaches past them to the socket (readv, send) must ask is_tls() first, since
// the socket carries ciphertext.
#pragma once

#include <event2/bufferevent.h>
#include <openssl/ssl.h>

#include <string>

namespace fathom::tls {

// A server-side bufferevent on the accepted socket `fd`, handshaking with `ctx`. It owns the
// socket and the SSL (freed with the bufferevent). nullptr on failure; then `fd` is the
// caller's to close.
bufferevent* accept_bufferevent(event_base* base, evutil_socket_t fd, SSL_CTX* ctx);

// A client-side bufferevent with no socket yet, for bufferevent_socket_connect(); the handshake
// starts once connected, and BEV_EVENT_CONNECTED comes after it. The peer must present a chain
// `ctx` trusts, issued for `host`. nullptr on failure.
bufferevent* connect_bufferevent(event_base* base, SSL_CTX* ctx, const std::string& host);

// True for a bufferevent made by the two functions above.
bool is_tls(bufferevent* bev);

// The context `bev` was made with; nullptr for a plain bufferevent.
SSL_CTX* context_of(bufferevent* bev);

// Why the TLS side of `bev` failed, e.g. "certificate verify failed (unable to get local issuer
// certificate)"; "" when TLS reported nothing (a plain connect or read error, an EOF).
std::string failure_reason(bufferevent* bev);

}  // namespace fathom::tls
