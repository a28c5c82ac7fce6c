// Which channels have something to deliver, kept beside the channels of a
// System so that listing the enabled actions costs what is in flight rather
// than every channel of the job. A job with two hash-connected vertices of
// parallelism p has p^2 channels, and most are empty at any moment.
//
// The index is derived: it says no more than the channels themselves, so a
// System holds it as a ghost field (never compared or fingerprinted), and
// ChannelIndexMatches tells whether it agrees with the channels. Every change
// to a channel's queue or acknowledgement is followed by Reindex(channel)
// (system.cc, subtask.cc, failover.cc are the only places that change them).
#ifndef CKPTSIM_MODEL_CHANNEL_INDEX_H_
#define CKPTSIM_MODEL_CHANNEL_INDEX_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ckptsim::model {

class ChannelIndex {
 public:
  // Empty channels, no acknowledgement in flight, no output full.
  void Reset(size_t channels, size_t subtasks) {
    words_ = (channels + 63) / 64;
    summary_words_ = (words_ + 63) / 64;
    bits_.assign(3 * words_ + 2 * summary_words_ + subtasks, 0);
  }

  // Records channel `c`'s state: whether it is ready (its queue holds a
  // message and no aligned barrier blocks it), whether
  // its acknowledgement is in flight, whether it holds the channel capacity
  // or more (which back-pressures `producer`).
  void Update(int32_t c, int32_t producer, bool ready, bool ack, bool full) {
    Put(kReady, c, ready);
    Put(kAck, c, ack);
    const size_t w = static_cast<size_t>(c) / 64;
    const uint64_t bit = uint64_t{1} << (static_cast<size_t>(c) % 64);
    uint64_t& full_word = bits_[kFull * words_ + w];
    if (((full_word & bit) != 0) != full) {
      full_word ^= bit;
      uint64_t& count = bits_[3 * words_ + 2 * summary_words_ + static_cast<size_t>(producer)];
      count = full ? count + 1 : count - 1;
    }
  }

  // Whether some output channel of `subtask` is full.
  bool OutputFull(int32_t subtask) const {
    return bits_[3 * words_ + 2 * summary_words_ + static_cast<size_t>(subtask)] != 0;
  }

  // Calls f(channel) for each ready channel, ascending.
  template <typename F>
  void ForEachReady(F&& f) const {
    ForEach(kReady, f);
  }
  // Calls f(channel) for each channel whose acknowledgement is in flight, ascending.
  template <typename F>
  void ForEachAck(F&& f) const {
    ForEach(kAck, f);
  }

  bool operator==(const ChannelIndex& other) const = default;

 private:
  // The bit sets, in the order bits_ holds them.
  enum Kind : size_t { kReady = 0, kAck = 1, kFull = 2 };

  // Sets or clears channel c in set `kind` (ready or ack), and the summary
  // bit of its word: whether any channel of that word is in the set.
  void Put(size_t kind, int32_t c, bool on) {
    const size_t w = static_cast<size_t>(c) / 64;
    uint64_t& word = bits_[kind * words_ + w];
    const uint64_t bit = uint64_t{1} << (static_cast<size_t>(c) % 64);
    word = on ? (word | bit) : (word & ~bit);
    uint64_t& summary = bits_[3 * words_ + kind * summary_words_ + w / 64];
    const uint64_t summary_bit = uint64_t{1} << (w % 64);
    summary = word != 0 ? (summary | summary_bit) : (summary & ~summary_bit);
  }
  template <typename F>
  void ForEach(size_t kind, F& f) const {
    for (size_t s = 0; s < summary_words_; ++s) {
      for (uint64_t summary = bits_[3 * words_ + kind * summary_words_ + s]; summary != 0; summary &= summary - 1) {
        const size_t w = s * 64 + static_cast<size_t>(std::countr_zero(summary));
        for (uint64_t word = bits_[kind * words_ + w]; word != 0; word &= word - 1) {
          f(static_cast<int32_t>(w * 64 + static_cast<size_t>(std::countr_zero(word))));
        }
      }
    }
  }

  size_t words_ = 0;
  size_t summary_words_ = 0;
  // In one allocation per copy: three bit sets of words_ words (ready, ack,
  // full), a summary of the ready and of the ack set (bit w: word w is not
  // zero) of summary_words_ each, and per subtask its count of full outputs.
  std::vector<uint64_t> bits_;
};

}  // namespace ckptsim::model

#endif  // CKPTSIM_MODEL_CHANNEL_INDEX_H_
