// A stable 64-bit fingerprint of a System, computed by the project itself
// (no std::hash), for the exhaustive checker's visited set. Two states that
// differ in anything the protocol can observe get different fingerprints
// (up to hash collisions); bookkeeping that no transition reads — statistics
// counters and the numbering of RPC uids — is left out, so the same state
// reached along two paths fingerprints the same.
#ifndef CKPTSIM_MODEL_FINGERPRINT_H_
#define CKPTSIM_MODEL_FINGERPRINT_H_

#include <cstdint>

#include "model/state.h"

namespace ckptsim::model {

uint64_t Fingerprint(const System& system);

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_FINGERPRINT_H_
