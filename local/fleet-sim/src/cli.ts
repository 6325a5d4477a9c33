// `rollgate local fleet`: start the simulated fleet, write its kubeconfig, print where things are.
import { createFleetSimulator, type FleetSimulator, type FleetSimulatorOptions } from './simulator.js';

export interface LocalFleetOptions extends FleetSimulatorOptions {
  port?: number;
  host?: string;
  /** Where to write the kubeconfig; none written when absent. */
  kubeconfigPath?: string;
  /** Where the summary lines go (default: nowhere). */
  print?: (line: string) => void;
}

export async function runLocalFleet(options: LocalFleetOptions = {}): Promise<FleetSimulator> {
  const { port = 0, host = '127.0.0.1', kubeconfigPath, print = () => {}, ...simOptions } = options;
  const sim = createFleetSimulator(simOptions);
  const { url } = await sim.listen(port, host);
  if (kubeconfigPath) await sim.writeKubeconfig(kubeconfigPath);
  print(`simulated fleet (${sim.mode} mode) on ${url}`);
  if (sim.mode === 'karmada') print(`  karmada-apiserver  ${url}/karmada`);
  for (const m of sim.members) print(`  ${m.padEnd(18)} ${url}/clusters/${m}   prometheus ${sim.prometheusUrl(m)}`);
  print(kubeconfigPath ? `kubeconfig: ${kubeconfigPath} (contexts carry the CA and token)` : 'kubeconfig: not written (pass a path)');
  print(`control: GET ${url}/_fleet/state | GET ${url}/_fleet/describe | POST/DELETE ${url}/_fleet/faults | POST ${url}/_fleet/reset`);
  return sim;
}
