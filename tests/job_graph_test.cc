// The job graph's wiring (docs/protocol.md section 1), checked against the
// rules of Flink's EdgeManagerBuildUtil.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace ckptsim::testing {
namespace {

// Flink's connectPointwise written out a second way: for every consumer c,
// the producers it reads. Fan-out (s < t): consumer c reads the one producer
// p with ceil(p*t/s) <= c < ceil((p+1)*t/s). Fan-in (s > t): consumer c reads
// floor(c*s/t) .. floor((c+1)*s/t). Equal: c reads c. Returns, per producer,
// the consumers it feeds in ascending order.
std::vector<std::vector<int>> FlinkPointwiseConsumers(int s, int t) {
  std::vector<std::vector<int>> feeds(s);
  auto ceil_div = [](int a, int b) { return (a + b - 1) / b; };
  for (int c = 0; c < t; ++c) {
    if (s == t) {
      feeds[c].push_back(c);
    } else if (s > t) {
      for (int p = c * s / t; p < (c + 1) * s / t; ++p) feeds[p].push_back(c);
    } else {
      for (int p = 0; p < s; ++p) {
        if (ceil_div(p * t, s) <= c && c < ceil_div((p + 1) * t, s)) feeds[p].push_back(c);
      }
    }
  }
  return feeds;
}

TEST(EdgeManagerBuildUtil, PointwiseTargetsMatchConnectPointwiseForEveryParallelismUpToEight) {
  for (int s = 1; s <= 8; ++s) {
    for (int t = 1; t <= 8; ++t) {
      const std::vector<std::vector<int>> expected = FlinkPointwiseConsumers(s, t);
      for (int p = 0; p < s; ++p) {
        const auto [first, last] = model::JobGraph::PointwiseTargets(p, s, t);
        std::vector<int> got;
        for (int c = first; c < last; ++c) got.push_back(c);
        EXPECT_EQ(got, expected[p]) << s << " -> " << t << ", producer " << p;
      }
    }
  }
}

// The case the floor-division wiring got wrong: 4 -> 5 gives producer 0 the
// consumers 0 and 1 (ceil(0*5/4) = 0 .. ceil(5/4) = 2), and each of the
// others a single consumer.
TEST(EdgeManagerBuildUtil, FourProducersFeedFiveConsumersWithTheFirstProducerFeedingTwo) {
  EXPECT_EQ(model::JobGraph::PointwiseTargets(0, 4, 5), std::make_pair(0, 2));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(1, 4, 5), std::make_pair(2, 3));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(2, 4, 5), std::make_pair(3, 4));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(3, 4, 5), std::make_pair(4, 5));

  Script s(R"(name: rescale-four-to-five
vertices:
  - {name: P, parallelism: 4, records: 1, operators: [{name: p, kind: bounded_source}]}
  - {name: C, parallelism: 5, operators: [{name: c, kind: map}, {name: k, kind: two_phase_commit_sink}]}
edges:
  - {from: P, to: C, partitioning: rescale}
)");
  std::vector<std::string> channels;
  for (int c = 0; c < s.graph().channel_count(); ++c) channels.push_back(s.graph().ChannelName(c));
  EXPECT_EQ(channels, (std::vector<std::string>{"P[0]->C[0]", "P[0]->C[1]", "P[1]->C[2]", "P[2]->C[3]",
                                                "P[3]->C[4]"}));
}

// Fan-in keeps Flink's floor rule: 5 -> 4 gives consumer 3 the producers 3
// and 4 (floor(3*5/4) = 3 .. floor(4*5/4) = 5).
TEST(EdgeManagerBuildUtil, FiveProducersFeedFourConsumersWithTheLastConsumerReadingTwo) {
  EXPECT_EQ(model::JobGraph::PointwiseTargets(0, 5, 4), std::make_pair(0, 1));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(1, 5, 4), std::make_pair(1, 2));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(2, 5, 4), std::make_pair(2, 3));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(3, 5, 4), std::make_pair(3, 4));
  EXPECT_EQ(model::JobGraph::PointwiseTargets(4, 5, 4), std::make_pair(3, 4));
}

}  // namespace
}  // namespace ckptsim::testing
