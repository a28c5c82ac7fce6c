// What a trace's property report points at, so the pictures can highlight
// it. The footer of a trace gives each violated property its step, a
// summary and detail lines; those lines name records ("C[0]#3"),
// transactions ("transaction 4"), checkpoints or savepoints ("checkpoint 2")
// and subtasks ("F[1]"). An event is highlighted when it happened at a
// violation's step or concerns one of the things named.
#ifndef CKPTSIM_VISUALIZER_HIGHLIGHTS_H_
#define CKPTSIM_VISUALIZER_HIGHLIGHTS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "simulator/trace.h"
#include "visualizer/event_index.h"

namespace ckptsim::visualizer {

struct ViolationReport {
  std::string code;  // "P2"
  std::string name;  // "no-data-loss"
  int64_t step = 0;
  std::string summary;
  std::vector<std::string> details;
};

struct Highlights {
  std::vector<ViolationReport> violations;  // in the footer's order (property code order)
  std::set<int64_t> steps;
  std::set<std::string> records;
  std::set<int64_t> transactions;
  std::set<int64_t> checkpoints;
  std::set<std::string> subtasks;

  bool any() const { return !violations.empty(); }
  bool Covers(const IndexedEvent& event) const;
};

// Every property verdict of the footer, in its order: (code, name, verdict).
struct Verdict {
  std::string code;
  std::string name;
  bool violated = false;
};
std::vector<Verdict> VerdictsOf(const simulator::Trace& trace);

Highlights HighlightsOf(const simulator::Trace& trace);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_HIGHLIGHTS_H_
