// Guessing a ckptsim operator kind for a Flink operator from the words of
// the plan: its type (the operator's name) and contents (its description).
//
// The plan says nothing of an operator's state, so this is a guess by name,
// and the importer writes it, with its reason, above each operator for the
// user to check. The rules, first match wins, looked for case-insensitively
// in the type and then in the contents' operator names (not their
// arguments, where column names such as window_start would mislead):
//   broadcast                                -> broadcast_state
//   local...aggregate (mini-batch, pre-agg.) -> map: it flushes before every barrier
//   window, OverAggregate, TemporalSort      -> event_time_window: fires on watermarks
//   async                                    -> buffering: records in flight until finish()
//   sort                                     -> buffering: emits at end of input
//   LookupJoin                               -> map: reads an external table, no state
//   aggregate, aggregation, reduce, rank, deduplicate, changelognormalize, join,
//   keyed, distinct, limit                   -> keyed_aggregate
//   anything else                            -> map (stateless)
// union_state is never guessed: the plan cannot show list state in UNION mode.
//
// Thread-safety: stateless.
#ifndef CKPTSIM_SCENARIOS_PLAN_KINDS_H_
#define CKPTSIM_SCENARIOS_PLAN_KINDS_H_

#include <string>
#include <string_view>

#include "model/job_graph.h"

namespace ckptsim::scenarios {

struct KindGuess {
  model::OperatorKind kind = model::OperatorKind::kMap;
  std::string reason;  // "its type says 'aggregate': keyed state, a count per key"
};

// For an operator that is neither a source nor a sink.
KindGuess GuessOperatorKind(std::string_view type, std::string_view contents);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_PLAN_KINDS_H_
