// The condition grammar (schedules/README.md) by recursive descent.
#include <algorithm>

#include <fmt/format.h>

#include "schedules/condition.h"
#include "schedules/names.h"

namespace ckptsim::schedules {
namespace {

using model::JobGraph;

constexpr std::string_view kStarts =
    "a condition starts with a subtask (A[0]), a channel (A[0]->B[0]), a vertex, 'all', 'checkpoint', "
    "'checkpoints', 'latest', 'restarts', 'coordinator', 'rpc', 'committed', 'job', a property (P1 ... P9, "
    "L1 ... L3) or "
    "'not'";

bool IsBooleanField(SubtaskField field) {
  return field == SubtaskField::kEndOfData || field == SubtaskField::kFinalCheckpointCompleted;
}

class Parser {
 public:
  Parser(const JobGraph& graph, std::vector<Token> tokens) : graph_(graph), reader_(std::move(tokens)) {}

  std::optional<Condition> Parse() {
    auto condition = ParseOr();
    if (!condition) return std::nullopt;
    if (!reader_.AtEnd()) {
      return Fail(fmt::format("unexpected '{}' after a complete condition (combine conditions with 'and' or 'or')",
                              Spelling(reader_.Peek())));
    }
    return condition;
  }

  const std::string& error() const { return error_; }

 private:
  std::nullopt_t Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return std::nullopt;
  }
  bool Expect(std::string_view word, std::string_view context) {
    if (reader_.Accept(word)) return true;
    Fail(fmt::format("expected '{}' {}, got '{}'", word, context, Spelling(reader_.Peek())));
    return false;
  }
  std::optional<int64_t> Number(std::string_view what) {
    const Token token = reader_.Next();
    if (token.kind == TokenKind::kNumber) return token.number;
    return Fail(fmt::format("expected {}, got '{}'", what, Spelling(token)));
  }
  std::optional<Compare> ReadCompare() {
    const Token token = reader_.Next();
    if (token.kind == TokenKind::kPunct) {
      if (token.text == "=") return Compare::kEqual;
      if (token.text == "!=") return Compare::kNotEqual;
      if (token.text == "<") return Compare::kLess;
      if (token.text == "<=") return Compare::kLessOrEqual;
      if (token.text == ">") return Compare::kGreater;
      if (token.text == ">=") return Compare::kGreaterOrEqual;
    }
    return Fail(fmt::format("expected a comparison (=, !=, <, <=, >, >=), got '{}'", Spelling(token)));
  }
  template <typename T>
  std::optional<T> Check(std::optional<T> value) {
    if (!value && !name_error_.empty()) Fail(name_error_);
    return value;
  }

  std::optional<Condition> ParseOr() {
    auto first = ParseAnd();
    if (!first) return std::nullopt;
    if (!reader_.IsWord("or")) return first;
    Condition any{.op = Condition::Op::kOr};
    any.terms.push_back(std::move(*first));
    while (reader_.Accept("or")) {
      auto next = ParseAnd();
      if (!next) return std::nullopt;
      any.terms.push_back(std::move(*next));
    }
    return any;
  }

  std::optional<Condition> ParseAnd() {
    auto first = ParseUnary();
    if (!first) return std::nullopt;
    if (!reader_.IsWord("and")) return first;
    Condition all{.op = Condition::Op::kAnd};
    all.terms.push_back(std::move(*first));
    while (reader_.Accept("and")) {
      auto next = ParseUnary();
      if (!next) return std::nullopt;
      all.terms.push_back(std::move(*next));
    }
    return all;
  }

  // Each '(' and 'not' is a level of recursion; a bound keeps a hostile
  // condition from overflowing the stack.
  std::optional<Condition> ParseUnary() {
    if (depth_ >= kConditionDepthMax) {
      return Fail(fmt::format("the condition nests deeper than {} levels of '(' and 'not'", kConditionDepthMax));
    }
    ++depth_;
    auto unary = ParseUnaryBelow();
    --depth_;
    return unary;
  }

  std::optional<Condition> ParseUnaryBelow() {
    if (reader_.Accept("not")) {
      auto inner = ParseUnary();
      if (!inner) return std::nullopt;
      Condition negation{.op = Condition::Op::kNot};
      negation.terms.push_back(std::move(*inner));
      return negation;
    }
    if (reader_.Accept("(")) {
      auto inner = ParseOr();
      if (!inner) return std::nullopt;
      if (!Expect(")", "to close '('")) return std::nullopt;
      return inner;
    }
    auto atom = ParseAtom();
    if (!atom) return std::nullopt;
    return Condition{.op = Condition::Op::kAtom, .atom = std::move(*atom)};
  }

  std::optional<Atom> ParseAtom() {
    const Token& first = reader_.Peek();
    switch (first.kind) {
      case TokenKind::kSubtask:
        if (reader_.Peek(1).kind == TokenKind::kPunct && reader_.Peek(1).text == "->") return ParseChannelAtom();
        if (reader_.Peek(1).kind == TokenKind::kPunct && reader_.Peek(1).text == ".") return ParseField();
        if (reader_.IsWord("called", 1)) return ParseCalled();
        if (reader_.IsWord("restored", 1)) return ParseRestoredUnion();
        return ParseSubjectAtom();
      case TokenKind::kWord: break;
      case TokenKind::kPunct:
        if (first.text == "[") return ParseSubjectAtom();
        return Fail(fmt::format("unexpected '{}': {}", Spelling(first), kStarts));
      case TokenKind::kNumber:
      case TokenKind::kEnd: return Fail(fmt::format("unexpected '{}': {}", Spelling(first), kStarts));
    }
    const std::string word = first.text;
    if (word == "checkpoint") return ParseCheckpoint();
    if (word == "checkpoints") return ParseCounter();
    if (word == "latest") {
      reader_.Next();
      if (!Expect("completed", "in 'latest completed checkpoint OP N'") ||
          !Expect("checkpoint", "in 'latest completed checkpoint OP N'")) {
        return std::nullopt;
      }
      return FinishCounter(Counter::kLatestCompleted);
    }
    if (word == "restarts") {
      reader_.Next();
      return FinishCounter(Counter::kRestarts);
    }
    if (word == "coordinator") return ParseView();
    if (word == "rpc") return ParseRpc();
    if (word == "committed") return ParseCommitted({});
    if (word == "job") return ParseJob();
    if (auto property = properties::ParseProperty(word);
        property && (reader_.IsWord("holds", 1) || (reader_.IsWord("is", 1) && reader_.IsWord("violated", 2)))) {
      reader_.Next();
      if (reader_.Accept("holds")) return PropertyIs{*property, false};
      reader_.Next();
      reader_.Next();
      return PropertyIs{*property, true};
    }
    if (word == "all" || graph_.FindVertex(word)) return ParseSubjectAtom();
    std::string error;
    ResolveVertex(graph_, word, &error);
    return Fail(fmt::format("'{}' starts no condition ({}): {}", word, error, kStarts));
  }

  // SUBJECTS: a subtask, a vertex (all its subtasks), a list of them, or 'all'.
  std::optional<std::vector<int32_t>> ReadSubjects() {
    std::vector<int32_t> subtasks;
    if (reader_.Accept("all")) {
      for (int s = 0; s < graph_.subtask_count(); ++s) subtasks.push_back(s);
      return subtasks;
    }
    if (reader_.Peek().kind == TokenKind::kPunct && reader_.Peek().text == "[") {
      return Check(ReadSubtaskList(graph_, reader_, &name_error_));
    }
    if (!ReadSubtasks(graph_, reader_, &subtasks, &name_error_)) return Fail(name_error_);
    return subtasks;
  }

  // SUBJECTS then 'is'/'are' PHASE, or 'committed'.
  std::optional<Atom> ParseSubjectAtom() {
    auto subjects = ReadSubjects();
    if (!subjects) return std::nullopt;
    std::vector<int32_t> subtasks = std::move(*subjects);
    if (reader_.IsWord("committed")) return ParseCommitted(std::move(subtasks));
    if (!reader_.Accept("is") && !reader_.Accept("are")) {
      return Fail(
          fmt::format("expected 'is PHASE', 'called [...]', 'restored union state [...]', 'committed ...', '.field' or '->' "
                      "after the "
                      "subject, got '{}'",
                      Spelling(reader_.Peek())));
    }
    const bool negated = reader_.Accept("not");
    auto phase = Check(ResolveWord(reader_.Next(), "phase", PhaseNames(), &name_error_));
    if (!phase) return std::nullopt;
    PhaseIs atom{.subtasks = std::move(subtasks), .negated = negated};
    if (*phase + 1 < PhaseNames().size()) atom.phase = static_cast<model::SubtaskPhase>(*phase);
    return atom;
  }

  std::optional<Atom> ParseField() {
    const Token subject = reader_.Next();
    auto subtask = Check(ResolveSubtask(graph_, subject, &name_error_));
    if (!subtask) return std::nullopt;
    reader_.Next();  // '.'
    auto field = Check(ResolveWord(reader_.Next(), "field", SubtaskFieldNames(), &name_error_));
    if (!field) return std::nullopt;
    FieldIs atom{.subtask = *subtask, .field = static_cast<SubtaskField>(*field)};
    auto op = ReadCompare();
    if (!op) return std::nullopt;
    atom.op = *op;
    if (IsBooleanField(atom.field)) {
      if (atom.op != Compare::kEqual && atom.op != Compare::kNotEqual) {
        return Fail(fmt::format("{} is true or false: compare it with = or !=", SubtaskFieldNames()[*field]));
      }
      const Token value = reader_.Next();
      if (value.kind != TokenKind::kWord || (value.text != "true" && value.text != "false")) {
        return Fail(fmt::format("{} is true or false, got '{}'", SubtaskFieldNames()[*field], Spelling(value)));
      }
      atom.value = value.text == "true" ? 1 : 0;
      return atom;
    }
    auto value = Number(fmt::format("a number to compare {} with", SubtaskFieldNames()[*field]));
    if (!value) return std::nullopt;
    atom.value = *value;
    return atom;
  }

  std::optional<Atom> ParseView() {
    reader_.Next();  // coordinator
    if (!Expect("sees", "in 'coordinator sees SUBTASKS as STATE'")) return std::nullopt;
    auto subtasks = ReadSubjects();
    if (!subtasks) return std::nullopt;
    if (!Expect("as", "in 'coordinator sees SUBTASKS as STATE'")) return std::nullopt;
    auto state = Check(ResolveWord(reader_.Next(), "execution state", ExecutionStateNames(), &name_error_));
    if (!state) return std::nullopt;
    return ViewIs{std::move(*subtasks), static_cast<model::ExecutionState>(*state)};
  }

  std::optional<Atom> ParseCheckpoint() {
    reader_.Next();  // checkpoint
    auto id = Number("a checkpoint id after 'checkpoint'");
    if (!id) return std::nullopt;
    if (reader_.Accept("is")) {
      if (reader_.Accept("a")) {
        if (!Expect("savepoint", "in 'checkpoint N is a savepoint'")) return std::nullopt;
        return CheckpointIsSavepoint{*id};
      }
      static const std::vector<std::string_view> kStatuses = {"pending", "completed", "aborted"};
      auto status = Check(ResolveWord(reader_.Next(), "checkpoint status", kStatuses, &name_error_));
      if (!status) return std::nullopt;
      CheckpointIs atom{.id = *id, .status = static_cast<CheckpointStatus>(*status)};
      if (reader_.Accept("with")) {
        if (atom.status != CheckpointStatus::kAborted) return Fail("only 'aborted' takes 'with REASON'");
        auto reason = Check(ResolveWord(reader_.Next(), "abort reason", AbortReasonNames(), &name_error_));
        if (!reason) return std::nullopt;
        atom.reason = static_cast<model::AbortReason>(*reason);
      }
      return atom;
    }
    if (reader_.Accept("marks")) {
      CheckpointMarks atom{.id = *id};
      if (reader_.Accept("fully")) {
        atom.status = model::VertexFinishedStatus::kFullyFinished;
      } else if (reader_.Accept("partly")) {
        atom.status = model::VertexFinishedStatus::kPartlyFinished;
      } else {
        return Fail(fmt::format("expected 'fully' or 'partly' after 'marks', got '{}'", Spelling(reader_.Peek())));
      }
      if (!Expect("finished", "in 'checkpoint N marks fully|partly finished [...]'")) return std::nullopt;
      auto vertices = ReadVertexList();
      if (!vertices) return std::nullopt;
      atom.vertices = std::move(*vertices);
      return atom;
    }
    CheckpointSubtasks atom{.id = *id};
    if (reader_.Accept("triggers")) {
      atom.set = CheckpointSet::kTriggers;
    } else if (reader_.Accept("notifies")) {
      atom.set = CheckpointSet::kNotifies;
    } else if (reader_.Accept("waits")) {
      if (!Expect("for", "in 'checkpoint N waits for [...]'")) return std::nullopt;
      atom.set = CheckpointSet::kWaitsFor;
    } else if (reader_.Accept("taken")) {
      if (!Expect("by", "in 'checkpoint N taken by [...]'")) return std::nullopt;
      atom.set = CheckpointSet::kTakenBy;
    } else if (reader_.Accept("acknowledged")) {
      if (!Expect("by", "in 'checkpoint N acknowledged by [...]'")) return std::nullopt;
      atom.set = CheckpointSet::kAcknowledgedBy;
    } else {
      return Fail(
          fmt::format("expected 'is', 'triggers', 'waits for', 'notifies', 'taken by', 'acknowledged by' or "
                      "'marks' after 'checkpoint {}', got '{}'",
                      *id, Spelling(reader_.Peek())));
    }
    auto subtasks = Check(ReadSubtaskList(graph_, reader_, &name_error_));
    if (!subtasks) return std::nullopt;
    atom.subtasks = std::move(*subtasks);
    return atom;
  }

  // "[A, b-op]": vertices, or operators standing for their vertex.
  std::optional<std::vector<int>> ReadVertexList() {
    if (!Expect("[", "to open the list of vertices or operators")) return std::nullopt;
    std::vector<int> vertices;
    if (!reader_.Accept("]")) {
      do {
        const Token token = reader_.Next();
        std::optional<int> vertex;
        if (token.kind == TokenKind::kWord) {
          vertex = graph_.FindVertex(token.text);
          for (int v = 0; !vertex && v < static_cast<int>(graph_.vertices().size()); ++v) {
            if (FindOperator(graph_, v, token.text)) vertex = v;
          }
        }
        if (!vertex) {
          std::string error;
          ResolveVertex(graph_, Spelling(token), &error);
          return Fail(fmt::format("'{}' is neither a vertex nor an operator ({})", Spelling(token), error));
        }
        vertices.push_back(*vertex);
      } while (reader_.Accept(","));
      if (!Expect("]", "to close the list")) return std::nullopt;
    }
    std::sort(vertices.begin(), vertices.end());
    vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
    return vertices;
  }

  std::optional<Atom> ParseCounter() {
    reader_.Next();  // checkpoints
    static const std::vector<std::string_view> kCounters = {"triggered", "completed", "aborted", "refused"};
    auto counter = Check(ResolveWord(reader_.Next(), "checkpoint counter", kCounters, &name_error_));
    if (!counter) return std::nullopt;
    return FinishCounter(static_cast<Counter>(*counter));
  }

  std::optional<Atom> FinishCounter(Counter counter) {
    auto op = ReadCompare();
    if (!op) return std::nullopt;
    auto value = Number("a number");
    if (!value) return std::nullopt;
    return CounterIs{counter, *op, *value};
  }

  std::optional<Atom> ParseChannelAtom() {
    auto channel = Check(ReadChannel(graph_, reader_, &name_error_));
    if (!channel) return std::nullopt;
    if (reader_.Accept("holds")) {
      auto messages = ReadMessages();
      if (!messages) return std::nullopt;
      return ChannelHolds{*channel, std::move(*messages)};
    }
    if (!Expect("is", "or 'holds' after a channel")) return std::nullopt;
    static const std::vector<std::string_view> kStates = {"empty", "blocked", "acknowledged"};
    auto state = Check(ResolveWord(reader_.Next(), "channel state", kStates, &name_error_));
    if (!state) return std::nullopt;
    return ChannelIs{*channel, static_cast<ChannelState>(*state)};
  }

  std::optional<std::vector<MessagePattern>> ReadMessages() {
    if (!Expect("[", "to open the list of messages")) return std::nullopt;
    std::vector<MessagePattern> messages;
    if (reader_.Accept("]")) return messages;
    do {
      auto message = ReadMessage();
      if (!message) return std::nullopt;
      int64_t repeat = 1;
      const Token& next = reader_.Peek();
      if (next.kind == TokenKind::kWord && next.text.size() > 1 && next.text[0] == 'x' &&
          std::all_of(next.text.begin() + 1, next.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        repeat = std::stoll(next.text.substr(1));
        reader_.Next();
        if (repeat < 1 || repeat > 100000) return Fail(fmt::format("'{}': repeat 1 to 100000 times", next.text));
      }
      messages.insert(messages.end(), static_cast<size_t>(repeat), *message);
    } while (reader_.Accept(","));
    if (!Expect("]", "to close the list of messages")) return std::nullopt;
    return messages;
  }

  std::optional<MessagePattern> ReadMessage() {
    static const std::vector<std::string_view> kKinds = {"record",    "MAX_WATERMARK",  "barrier",    "cancel-marker",
                                                         "EndOfData", "EndOfPartition", "committable",
                                                         "committable-summary"};
    auto kind = Check(ResolveWord(reader_.Next(), "message", kKinds, &name_error_));
    if (!kind) return std::nullopt;
    MessagePattern message{.kind = static_cast<model::MessageKind>(*kind)};
    switch (message.kind) {
      case model::MessageKind::kRecord:
        if (reader_.Peek().kind == TokenKind::kSubtask) {
          auto records = ReadRecordRange();
          if (!records) return std::nullopt;
          if (records->size() != 1) return Fail("a message is one record: write 'record S[0]#3'");
          message.record = records->front();
        }
        break;
      case model::MessageKind::kBarrier:
      case model::MessageKind::kCancelMarker:
        if (reader_.Peek().kind == TokenKind::kNumber) message.checkpoint = reader_.Next().number;
        if (message.kind == model::MessageKind::kBarrier && reader_.Accept("(")) {
          if (reader_.Accept("savepoint")) {
            message.savepoint = true;
          } else if (reader_.Accept("unaligned")) {
            message.unaligned = true;
          } else {
            return Fail(fmt::format("expected 'savepoint' or 'unaligned' in a barrier's '(...)', got '{}'",
                                    Spelling(reader_.Peek())));
          }
          if (!Expect(")", "after the barrier's kind")) return std::nullopt;
        }
        break;
      case model::MessageKind::kEndOfData:
        if (reader_.Accept("(")) {
          if (reader_.Accept("DRAIN")) {
            message.mode = model::StopMode::kDrain;
          } else if (reader_.Accept("NO_DRAIN")) {
            message.mode = model::StopMode::kNoDrain;
          } else {
            return Fail(
                fmt::format("expected DRAIN or NO_DRAIN in 'EndOfData(...)', got '{}'", Spelling(reader_.Peek())));
          }
          if (!Expect(")", "after the EndOfData mode")) return std::nullopt;
        }
        break;
      case model::MessageKind::kMaxWatermark:
      case model::MessageKind::kEndOfPartition:
      case model::MessageKind::kCommittable:
      case model::MessageKind::kCommittableSummary: break;
    }
    return message;
  }

  // "S[0]#3" or "S[0]#0..4".
  std::optional<std::vector<RecordKey>> ReadRecordRange() {
    const Token source = reader_.Next();
    if (source.kind != TokenKind::kSubtask) {
      return Fail(fmt::format("expected a record, Source[i]#sequence, got '{}'", Spelling(source)));
    }
    auto subtask = Check(ResolveSubtask(graph_, source, &name_error_));
    if (!subtask) return std::nullopt;
    if (!graph_.vertices()[graph_.subtasks()[*subtask].vertex].is_source) {
      return Fail(
          fmt::format("{} is not a source subtask: records are named by the source subtask that emitted "
                      "them, Source[i]#sequence",
                      Spelling(source)));
    }
    if (!Expect("#", fmt::format("after {} in a record (Source[i]#sequence)", Spelling(source)))) return std::nullopt;
    auto first = Number("a record sequence number after '#'");
    if (!first) return std::nullopt;
    int64_t last = *first;
    if (reader_.Accept("..")) {
      auto to = Number("the last sequence number of the range after '..'");
      if (!to) return std::nullopt;
      last = *to;
      if (last < *first) return Fail(fmt::format("empty range {}..{}", *first, last));
      if (last - *first > 1'000'000) return Fail("a record range holds at most 1,000,000 records");
    }
    std::vector<RecordKey> records;
    for (int64_t sequence = *first; sequence <= last; ++sequence) {
      records.push_back(RecordKey{*subtask, static_cast<uint32_t>(sequence)});
    }
    return records;
  }

  std::optional<Atom> ParseCommitted(std::vector<int32_t> owners) {
    reader_.Next();  // committed
    for (int32_t s : owners) {
      const auto& operators = graph_.vertices()[graph_.subtasks()[s].vertex].operators;
      if (std::none_of(operators.begin(), operators.end(),
                       [](const model::OperatorSpec& op) { return model::WritesToStore(op.kind); })) {
        return Fail(fmt::format("{} writes nothing to the external store: name sink subtasks before 'committed'",
                                graph_.SubtaskName(s)));
      }
    }
    if (reader_.Peek().kind == TokenKind::kPunct && reader_.Peek().text != "[") {
      auto op = ReadCompare();
      if (!op) return std::nullopt;
      auto value = Number("a number of records");
      if (!value) return std::nullopt;
      return CommittedCount{std::move(owners), *op, *value};
    }
    if (!Expect("[", "or a comparison after 'committed'")) return std::nullopt;
    CommittedRecords atom{.owners = std::move(owners)};
    if (!reader_.Accept("]")) {
      do {
        auto range = ReadRecordRange();
        if (!range) return std::nullopt;
        atom.records.insert(atom.records.end(), range->begin(), range->end());
      } while (reader_.Accept(","));
      if (!Expect("]", "to close the list of records")) return std::nullopt;
    }
    std::sort(atom.records.begin(), atom.records.end());
    atom.records.erase(std::unique(atom.records.begin(), atom.records.end()), atom.records.end());
    return atom;
  }

  std::optional<Atom> ParseCalled() {
    const Token subject = reader_.Next();
    auto subtask = Check(ResolveSubtask(graph_, subject, &name_error_));
    if (!subtask) return std::nullopt;
    reader_.Next();  // called
    Called atom{.subtask = *subtask, .exactly = reader_.Accept("exactly")};
    if (!Expect("[", "to open the list of calls")) return std::nullopt;
    if (reader_.Accept("]")) return atom;
    const int vertex = graph_.subtasks()[*subtask].vertex;
    do {
      const Token token = reader_.Next();
      if (token.kind != TokenKind::kWord) {
        return Fail(
            fmt::format("expected an operator call such as finish or snapshotState(2), got '{}'", Spelling(token)));
      }
      CallPattern call;
      Token name = token;
      if (const size_t dot = token.text.rfind('.'); dot != std::string::npos) {
        const std::string op = token.text.substr(0, dot);
        call.op = FindOperator(graph_, vertex, op);
        if (!call.op) {
          std::vector<std::string_view> names;
          for (const auto& spec : graph_.vertices()[vertex].operators) names.push_back(spec.name);
          return Fail(fmt::format("'{}': {} has no operator '{}'; its chain: {}", token.text, Spelling(subject), op,
                                  fmt::join(names, ", ")));
        }
        name.text = token.text.substr(dot + 1);
      }
      auto kind = Check(ResolveWord(name, "operator call", OperatorCallNames(), &name_error_));
      if (!kind) return std::nullopt;
      call.call = static_cast<model::OperatorCall>(*kind);
      if (reader_.Accept("(")) {
        if (call.call == model::OperatorCall::kProcessMaxWatermark) {
          if (!Expect("MAX", "in processWatermark(MAX)")) return std::nullopt;
        } else {
          auto argument = Number(fmt::format("a checkpoint id (or endInput's input) in {}(...)", name.text));
          if (!argument) return std::nullopt;
          call.argument = *argument;
        }
        if (!Expect(")", "to close the call's argument")) return std::nullopt;
      }
      atom.calls.push_back(call);
    } while (reader_.Accept(","));
    if (!Expect("]", "to close the list of calls")) return std::nullopt;
    return atom;
  }

  std::optional<Atom> ParseRestoredUnion() {
    auto subtask = Check(ResolveSubtask(graph_, reader_.Next(), &name_error_));
    if (!subtask) return std::nullopt;
    reader_.Next();  // restored
    constexpr std::string_view kIn = "in 'SUBTASK restored union state [N, ...]'";
    if (!Expect("union", kIn) || !Expect("state", kIn) || !Expect("[", kIn)) return std::nullopt;
    RestoredUnion atom{.subtask = *subtask};
    if (reader_.Accept("]")) return atom;
    do {
      auto entry = Number("a union-state entry (a number)");
      if (!entry) return std::nullopt;
      atom.entries.push_back(*entry);
    } while (reader_.Accept(","));
    if (!Expect("]", "to close the list of union-state entries")) return std::nullopt;
    return atom;
  }

  std::optional<Atom> ParseRpc() {
    reader_.Next();  // rpc
    auto rpc = Check(ReadRpcPattern(graph_, reader_, /*subtask_required=*/true, &name_error_));
    if (!rpc) return std::nullopt;
    if (!Expect("is", "in 'rpc RPC is in flight'") || !Expect("in", "in 'rpc RPC is in flight'") ||
        !Expect("flight", "in 'rpc RPC is in flight'")) {
      return std::nullopt;
    }
    return RpcInFlight{*rpc};
  }

  std::optional<Atom> ParseJob() {
    reader_.Next();  // job
    if (!Expect("is", "in 'job is RUNNING|FINISHED|FAILED'")) return std::nullopt;
    static const std::vector<std::string_view> kStates = {"RUNNING", "FINISHED", "FAILED"};
    auto state = Check(ResolveWord(reader_.Next(), "job state", kStates, &name_error_));
    if (!state) return std::nullopt;
    return JobIs{static_cast<JobState>(*state)};
  }

  const JobGraph& graph_;
  TokenReader reader_;
  std::string error_;
  std::string name_error_;
  int depth_ = 0;  // ParseUnary calls on the stack
};

}  // namespace

const std::vector<std::string_view>& SubtaskFieldNames() {
  // SubtaskField order.
  static const std::vector<std::string_view> kNames = {
      "finalCheckpointMinId", "syncSavepoint",    "latestReportCheckpointId",
      "lastCheckpointId",     "pendingAlignment", "attempt",
      "restoredCheckpointId", "endOfData",        "finalCheckpointCompleted"};
  return kNames;
}

std::optional<Condition> ParseCondition(const model::JobGraph& graph, std::string_view text, std::string* error) {
  auto tokens = Lex(text, error);
  if (!tokens) return std::nullopt;
  if (tokens->size() == 1) {
    *error = "empty condition";
    return std::nullopt;
  }
  Parser parser(graph, std::move(*tokens));
  auto condition = parser.Parse();
  if (!condition) *error = parser.error();
  return condition;
}

}  // namespace ckptsim::schedules
