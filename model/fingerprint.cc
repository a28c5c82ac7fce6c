// The fingerprint is derived from the field lists of the state structs
// (fields.h): every listed member is hashed, ghost members never are, so the
// fingerprint, equality and the field lists cannot drift apart.
#include "model/fingerprint.h"

#include "model/graph_change.h"

namespace ckptsim::model {

void FingerprintHasher::ValueOfChange(const GraphChange& change) {
  Value(change.savepoint);
  Value(change.source_high_water);
}

uint64_t Fingerprint(const System& system) {
  FingerprintHasher h;
  h.Value(system);
  return h.Finish();
}

}  // namespace ckptsim::model
