// CRC-32 checksums. Two polynomials are used in the project, for different reasons:
//  - crc32_ieee: the token checksum. The API contract says "CRC32 as zlib computes it" so that
//    clients and secret scanners can check a token's format offline with any zlib binding.
//  - crc32c (Castagnoli): the file store's journal records. It detects more error patterns in
//    short records than the IEEE polynomial, and it is what storage formats commonly use.
// Neither is a security measure: a CRC only catches typos and truncation, never forgery.
#pragma once

#include <cstdint>
#include <string_view>

namespace fathom::auth {

// Reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF (zlib's crc32()).
// crc32_ieee("123456789") == 0xCBF43926.
uint32_t crc32_ieee(std::string_view data);

// Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF (iSCSI, ext4).
// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view data);

}  // namespace fathom::auth
