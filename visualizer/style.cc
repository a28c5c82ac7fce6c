#include "visualizer/style.h"

namespace ckptsim::visualizer {

LinkStyle StyleOf(LinkKind kind) {
  switch (kind) {
    case LinkKind::kRecord: return {"#8c8c8c", "solid", "1"};
    case LinkKind::kBarrier: return {"#1f5fbf", "bold", "1.6"};
    case LinkKind::kEndOfData: return {"#e07b00", "bold", "1.6"};
    case LinkKind::kEndOfPartition: return {"#8e44ad", "bold", "1.6"};
    case LinkKind::kOtherMessage: return {"#138d75", "solid", "1.2"};
    case LinkKind::kEndOfDataAck: return {"#2e8b57", "dashed", "1.2"};
    case LinkKind::kRpc: return {"#404040", "dotted", "1.2"};
  }
  return {"black", "solid", "1"};
}

const char* PhaseColor(model::SubtaskPhase phase, bool deployed_as_finished) {
  using model::SubtaskPhase;
  switch (phase) {
    case SubtaskPhase::kDeploying:
    case SubtaskPhase::kInitializing: return "#f2f2f2";
    case SubtaskPhase::kProcessing: return "#cfe5ff";
    case SubtaskPhase::kDataFinished: return "#fff2a8";
    case SubtaskPhase::kWaitingForFinalCheckpoint: return "#ffc56e";
    case SubtaskPhase::kClosing: return "#e2c8ff";
    case SubtaskPhase::kFinished: return deployed_as_finished ? "#7fc4a4" : "#a8e0a8";
    case SubtaskPhase::kFailed: return "#ff9c9c";
    case SubtaskPhase::kCanceled: return "#d0d0d0";
  }
  return "white";
}

std::string_view PhaseWords(model::SubtaskPhase phase, bool deployed_as_finished) {
  using model::SubtaskPhase;
  switch (phase) {
    case SubtaskPhase::kDeploying: return "deploying";
    case SubtaskPhase::kInitializing: return "initializing";
    case SubtaskPhase::kProcessing: return "running";
    case SubtaskPhase::kDataFinished: return "end of data";
    case SubtaskPhase::kWaitingForFinalCheckpoint: return "waiting for final checkpoint";
    case SubtaskPhase::kClosing: return "closing";
    case SubtaskPhase::kFinished: return deployed_as_finished ? "finished on restore" : "finished";
    case SubtaskPhase::kFailed: return "failed";
    case SubtaskPhase::kCanceled: return "canceled";
  }
  return "?";
}

std::string Shorten(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max - 3;
  // Do not split a UTF-8 sequence: back up to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace ckptsim::visualizer
