// The shapes of the strings the service hands out, and the cheap checks that recognise them.
//
//   token        fth_  + 32 base62 random + 6 base62 checksum   (42 chars, secret)
//   token id     tok_  + 16 base62 random                         (20 chars, not secret)
//   pair code    pair_ + 24 base62 random                         (29 chars, secret)
//   pair code id pc_   + 16 base62 random                         (19 chars, not secret)
//
// Base62 alphabet, in digit order: 0-9, A-Z, a-z. A token's checksum is crc32_ieee of its 32
// random characters written as 6 base62 digits, most significant first, left-padded with '0'
// (62^6 > 2^32, so every checksum fits). The checksum lets valid_token_format() refuse typos,
// truncations and made-up strings with 401 before any store lookup; it is not a MAC and carries
// no authority. The prefixes make leaked secrets easy to spot by secret scanners; the id prefixes
// differ from the secret ones so that an id is never mistaken for a credential.
//
// Randomness comes only from OpenSSL's RAND_bytes: a failure throws std::runtime_error rather than
// fall back to anything weaker. 32 base62 characters carry about 190 bits, pair codes about 142.
// Each character is drawn without modulo bias (bytes >= 248 are rejected; 248 = 4 * 62).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fathom::auth {

inline constexpr std::string_view kBase62Alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

inline constexpr std::string_view kTokenPrefix = "fth_";
inline constexpr size_t kTokenRandomChars = 32;
inline constexpr size_t kTokenChecksumChars = 6;
inline constexpr size_t kTokenLength = 42;  // prefix + random + checksum

inline constexpr std::string_view kTokenIdPrefix = "tok_";
inline constexpr size_t kTokenIdRandomChars = 16;

inline constexpr std::string_view kPairCodePrefix = "pair_";
inline constexpr size_t kPairCodeRandomChars = 24;

inline constexpr std::string_view kPairCodeIdPrefix = "pc_";
inline constexpr size_t kPairCodeIdRandomChars = 16;

// A fresh token. Throws std::runtime_error if RAND_bytes fails.
std::string generate_token();

// True for a well-formed token with a correct checksum. Runs on every request, so it allocates
// nothing, and for a 42-character input it does the same work whatever the content: every
// character is examined and the checksum always computed, no early exit.
bool valid_token_format(std::string_view token);

// The 6 checksum characters for 32 random characters (any input length is accepted). Exposed for
// tests and the fuzz target; writes exactly kTokenChecksumChars characters to `out`.
void encode_token_checksum(std::string_view random_part, char out[kTokenChecksumChars]);

// Ids and pair codes carry no checksum: they are looked up, never typed by hand. Each generator
// throws std::runtime_error if RAND_bytes fails.
std::string generate_token_id();
bool valid_token_id(std::string_view id);

std::string generate_pair_code();
bool valid_pair_code(std::string_view code);

std::string generate_pair_code_id();
bool valid_pair_code_id(std::string_view id);

}  // namespace fathom::auth
