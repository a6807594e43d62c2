import * as THREE from 'three';

/**
 * Marks an instanced mesh's buffers that are rewritten every frame (its instance matrices and
 * colours, and the named per-instance attributes) as dynamic: a hint that lets the driver place
 * them where frequent uploads are cheap. Must run before the mesh is first drawn.
 */
export function markDynamic(mesh: THREE.InstancedMesh, ...attributes: string[]): THREE.InstancedMesh {
  mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
  mesh.instanceColor?.setUsage(THREE.DynamicDrawUsage);
  for (const name of attributes)
    (mesh.geometry.getAttribute(name) as THREE.BufferAttribute).setUsage(THREE.DynamicDrawUsage);
  return mesh;
}

/**
 * Frees the GPU side of objects a component built itself: R3F disposes what it creates from JSX
 * but never a `<primitive>` (its state may live outside React). Disposes each mesh's geometry and
 * materials and each instanced mesh's instance buffers; textures are left to whoever made them
 * (one atlas serves several materials). Disposing twice is harmless.
 */
export function disposeObjects(...roots: THREE.Object3D[]): void {
  for (const root of roots) {
    root.traverse((object) => {
      if (object instanceof THREE.InstancedMesh) object.dispose();
      if (object instanceof THREE.Mesh || object instanceof THREE.Line) {
        object.geometry.dispose();
        for (const material of [object.material].flat()) material.dispose();
      }
    });
  }
}
