/**
 * Sales start at launch. Logistic and Gompertz curves are positive for all t, so fitted as they are they would put
 * phones on the market before the product existed (and those phones would never reach the active base, which is
 * split by country only from launch on). Counting shipments from launch, N(t) - N(launch), keeps every phone the
 * forecast sells inside the devices it counts. Bass already starts at 0 at launch.
 */
import type { GrowthModel } from './model.ts';

/**
 * The same model, with cumulative shipments counted from the launch instant (0 before it).
 * @param model a growth model whose curve is positive before launch
 * @param launch launch instant (decimal year)
 * @returns the model with cumulative(p, t) = max(0, N(t) - N(launch))
 * @example sinceLaunch(logistic, 2011.75).cumulative(p, 2011.5) // 0
 */
export function sinceLaunch(model: GrowthModel, launch: number): GrowthModel {
  return {
    ...model,
    formula: `${model.formula}, counted from launch: N(t) - N(launch)`,
    cumulative(p, t) {
      return t <= launch ? 0 : model.cumulative(p, t) - model.cumulative(p, launch);
    },
  };
}
